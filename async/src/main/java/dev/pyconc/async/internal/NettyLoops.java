package dev.pyconc.async.internal;

import dev.pyconc.asyncio.EventLoop;
import dev.pyconc.asyncio.Future;

import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * What pyconc's transports (streams, subprocess pipes) need from an {@link EventLoop}: its Netty
 * event loop, on which they register their channels, and a way for a task body to wait for a Netty
 * future through the loop's own waiting (a task suspends; the loop keeps running).
 *
 * <pre> {@code
 * IoEventLoop io = NettyLoops.ioEventLoop(loop);
 * Channel ch = new Bootstrap().group(io).channel(NioSocketChannel.class)...;
 * NettyLoops.await(loop, ch.writeAndFlush(buf));     // in a task body
 * }</pre>
 *
 * <p>Netty runs the handlers of channels registered on {@code ioEventLoop(loop)} on the loop's
 * thread, while that thread holds the loop's baton: handlers may complete the loop's futures and
 * call its non-thread-safe methods directly, exactly as callbacks do. Task bodies run on other
 * threads: Netty queues the channel operations they start to the loop's thread.
 *
 * <p><b>The transport.</b> A loop runs on Netty's native epoll transport where it is available
 * (Linux with the {@code netty-transport-native-epoll} jar of the platform on the class or module
 * path), and on NIO otherwise. {@code -Dpyconc.asyncio.transport=epoll} insists on epoll (a loop
 * cannot be created without it), {@code nio} forces NIO, {@code auto} (the default) picks. The
 * choice is made in {@link #chooseTransport()}, read by each new loop, and the channel classes
 * of {@link #socketChannelClass} follow it.
 *
 * <p>Memory consistency effects: the completion of a Netty future <i>happens-before</i> the
 * return of {@code await} of it, or of the loop future that follows it.
 */
public final class NettyLoops {
    /** How this package reaches the loop's internals; set by EventLoop when it is loaded. */
    public interface Access {
        /** The Netty loop under `loop`. */
        IoEventLoop ioEventLoop(EventLoop loop);

        /** The transport `loop` was created with. */
        Transport transport(EventLoop loop);
    }

    /** The Netty transports a loop can run on. */
    public enum Transport {
        /** Netty's native epoll transport (Linux). */
        EPOLL,
        /** Java's NIO selector (epoll-based on Linux, through the JDK). */
        NIO
    }

    /** The system property that chooses the transport: {@code auto} (default), {@code epoll} or {@code nio}. */
    public static final String TRANSPORT_PROPERTY = "pyconc.asyncio.transport";

    private static volatile Access access;

    private NettyLoops() {}

    /** Called once by {@link EventLoop}'s initializer. */
    public static void setAccess(Access a) {
        if (access != null) {
            throw new IllegalStateException("access already set");
        }
        access = a;
    }

    /** The Netty event loop under {@code loop}: register the loop's channels on it. */
    public static IoEventLoop ioEventLoop(EventLoop loop) {
        if (loop == null) {
            throw new IllegalArgumentException("loop must not be null");
        }
        ensureAccess();
        return access.ioEventLoop(loop);
    }

    private static void ensureAccess() {
        if (access == null) {
            try {
                Class.forName(EventLoop.class.getName(), true, EventLoop.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * The transport a new loop uses, from {@link #TRANSPORT_PROPERTY} and whether epoll is
     * available here.
     *
     * @throws IllegalArgumentException if the property has another value
     * @throws IllegalStateException if it asks for epoll and epoll is not available
     */
    public static Transport chooseTransport() {
        String v = System.getProperty(TRANSPORT_PROPERTY, "auto").trim().toLowerCase(java.util.Locale.ROOT);
        switch (v) {
            case "", "auto":
                return EpollSupport.AVAILABLE ? Transport.EPOLL : Transport.NIO;
            case "nio":
                return Transport.NIO;
            case "epoll":
                if (!EpollSupport.AVAILABLE) {
                    throw new IllegalStateException("-D" + TRANSPORT_PROPERTY + "=epoll, but Netty's epoll transport is not "
                            + "available here (" + EpollSupport.CAUSE + "); put io.netty:netty-transport-native-epoll "
                            + "(classifier linux-x86_64 or linux-aarch_64) on the class path, or use nio or auto",
                            EpollSupport.CAUSE);
                }
                return Transport.EPOLL;
            default:
                throw new IllegalArgumentException("-D" + TRANSPORT_PROPERTY + " must be auto, epoll or nio, not '" + v + "'");
        }
    }

    /** Whether Netty's native epoll transport can be used in this JVM. */
    public static boolean epollAvailable() {
        return EpollSupport.AVAILABLE;
    }

    /** The Netty I/O handler of {@code transport}: the one place where a loop's transport is made. */
    public static IoHandlerFactory ioHandlerFactory(Transport transport) {
        return transport == Transport.EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    /** The transport {@code loop} runs on. */
    public static Transport transport(EventLoop loop) {
        if (loop == null) {
            throw new IllegalArgumentException("loop must not be null");
        }
        ensureAccess();
        return access.transport(loop);
    }

    /**
     * The socket channel class to use with {@code ioEventLoop(loop)}: the loop's Netty transport
     * decides it, so transports take it from here rather than name one.
     */
    public static Class<? extends io.netty.channel.socket.SocketChannel> socketChannelClass(EventLoop loop) {
        return transport(loop) == Transport.EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** The server socket channel class to use with {@code ioEventLoop(loop)} (see {@link #socketChannelClass}). */
    public static Class<? extends io.netty.channel.socket.ServerSocketChannel> serverSocketChannelClass(EventLoop loop) {
        return transport(loop) == Transport.EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /** Epoll.isAvailable(), asked once; a missing native library or platform leaves the cause. */
    private static final class EpollSupport {
        static final Throwable CAUSE;
        static final boolean AVAILABLE;

        static {
            Throwable cause;
            boolean available;
            try {
                available = Epoll.isAvailable();
                cause = available ? null : Epoll.unavailabilityCause();
            } catch (Throwable e) {        // LinkageError when the classes are excluded too
                available = false;
                cause = e;
            }
            AVAILABLE = available;
            CAUSE = cause;
        }
    }

    /**
     * A future of {@code loop} that follows {@code nettyFuture}: it gets the Netty future's result,
     * failure or cancellation, and cancelling it cancels the Netty future.
     */
    public static <V> Future<V> toFuture(EventLoop loop, io.netty.util.concurrent.Future<V> nettyFuture) {
        if (loop == null || nettyFuture == null) {
            throw new IllegalArgumentException("loop and nettyFuture must not be null");
        }
        Future<V> f = loop.createFuture();
        f.addDoneCallback(d -> {
            if (d.cancelled() && !nettyFuture.isDone()) {
                nettyFuture.cancel(false);
            }
        });
        nettyFuture.addListener(n -> {
            Runnable copy = () -> {
                if (f.done()) {
                    return;
                }
                if (n.isCancelled()) {
                    f.cancel();
                } else if (n.isSuccess()) {
                    @SuppressWarnings("unchecked")
                    V v = (V) n.getNow();
                    f.setResult(v);
                } else {
                    f.setException(n.cause());
                }
            };
            try {
                loop.callSoonThreadsafe(copy);
            } catch (IllegalStateException closed) {
                // the loop is closed: nobody can await f any more
            }
        });
        return f;
    }

    /**
     * Suspends the current task until {@code nettyFuture} is done and returns its result: the
     * Netty counterpart of {@code future.await()}. Must be called from a task body of {@code loop}.
     */
    public static <V> V await(EventLoop loop, io.netty.util.concurrent.Future<V> nettyFuture) {
        return toFuture(loop, nettyFuture).await();
    }
}
