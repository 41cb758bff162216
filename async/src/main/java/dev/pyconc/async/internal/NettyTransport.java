package dev.pyconc.async.internal;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * The Netty transports an event loop can run on, and the one place where a loop's transport is
 * chosen and made: its I/O handler and the classes of the channels registered on it.
 *
 * <pre> {@code
 * NettyTransport t = NettyTransport.choose();          // once per loop
 * ManualIoEventLoop io = new ManualIoEventLoop(thread, t.ioHandlerFactory());
 * new Bootstrap().group(io).channel(t.socketChannelClass())...;
 * }</pre>
 *
 * <p>A loop runs on Netty's native epoll transport where it is available (Linux with the
 * {@code netty-transport-native-epoll} jar of the platform on the class or module path), and on
 * NIO otherwise. {@code -Dpyconc.asyncio.transport=epoll} insists on epoll (a loop cannot be
 * created without it), {@code nio} forces NIO, {@code auto} (the default) picks.
 *
 * <p>Memory consistency effects: none; the values are immutable, and whether epoll is available is
 * asked once per JVM.
 */
public enum NettyTransport {
    /** Netty's native epoll transport (Linux). */
    EPOLL,
    /** Java's NIO selector (epoll-based on Linux, through the JDK). */
    NIO;

    /** The system property that chooses the transport: {@code auto} (default), {@code epoll} or {@code nio}. */
    public static final String PROPERTY = "pyconc.asyncio.transport";

    /**
     * The transport a new loop uses, from {@link #PROPERTY} and whether epoll is available here.
     *
     * @throws IllegalArgumentException if the property has another value
     * @throws IllegalStateException if it asks for epoll and epoll is not available
     */
    public static NettyTransport choose() {
        String v = System.getProperty(PROPERTY, "auto").trim().toLowerCase(java.util.Locale.ROOT);
        switch (v) {
            case "", "auto":
                return EpollSupport.AVAILABLE ? EPOLL : NIO;
            case "nio":
                return NIO;
            case "epoll":
                if (!EpollSupport.AVAILABLE) {
                    throw new IllegalStateException("-D" + PROPERTY + "=epoll, but Netty's epoll transport is not "
                            + "available here (" + EpollSupport.CAUSE + "); put io.netty:netty-transport-native-epoll "
                            + "(classifier linux-x86_64 or linux-aarch_64) on the class path, or use nio or auto",
                            EpollSupport.CAUSE);
                }
                return EPOLL;
            default:
                throw new IllegalArgumentException("-D" + PROPERTY + " must be auto, epoll or nio, not '" + v + "'");
        }
    }

    /** Whether Netty's native epoll transport can be used in this JVM. */
    public static boolean epollAvailable() {
        return EpollSupport.AVAILABLE;
    }

    /** The Netty I/O handler of this transport, for the loop's Netty event loop. */
    public IoHandlerFactory ioHandlerFactory() {
        return this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    /** The socket channel class to register on a loop of this transport. */
    public Class<? extends SocketChannel> socketChannelClass() {
        return this == EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** The server socket channel class to register on a loop of this transport. */
    public Class<? extends ServerSocketChannel> serverSocketChannelClass() {
        return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /** The datagram (UDP) channel class to register on a loop of this transport. */
    public Class<? extends DatagramChannel> datagramChannelClass() {
        return this == EPOLL ? EpollDatagramChannel.class : NioDatagramChannel.class;
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
}
