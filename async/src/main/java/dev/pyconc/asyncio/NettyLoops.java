package dev.pyconc.asyncio;

import io.netty.channel.IoEventLoop;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;

import dev.pyconc.async.internal.NettyTransport;

/**
 * What the loop's transports (streams, servers) need from an {@link EventLoop}: its Netty event
 * loop, on which they register their channels, the channel classes of its transport, and a way for
 * a task body to wait for a Netty future through the loop's own waiting (a task suspends; the loop
 * keeps running).
 *
 * <pre> {@code
 * IoEventLoop io = NettyLoops.ioEventLoop(loop);
 * Channel ch = new Bootstrap().group(io).channel(NettyLoops.socketChannelClass(loop))...;
 * NettyLoops.await(loop, ch.writeAndFlush(buf));     // in a task body
 * }</pre>
 *
 * <p>Netty runs the handlers of channels registered on {@code ioEventLoop(loop)} on the loop's
 * thread, while that thread holds the loop's baton: handlers may complete the loop's futures and
 * call its non-thread-safe methods directly, exactly as callbacks do. Task bodies run on other
 * threads: Netty queues the channel operations they start to the loop's thread.
 *
 * <p>Memory consistency effects: the completion of a Netty future <i>happens-before</i> the
 * return of {@code await} of it, or of the loop future that follows it.
 */
final class NettyLoops {
    private NettyLoops() {}

    /** The Netty event loop under {@code loop}: register the loop's channels on it. */
    static IoEventLoop ioEventLoop(EventLoop loop) {
        if (loop == null) {
            throw new IllegalArgumentException("loop must not be null");
        }
        return loop.loopThread.netty();
    }

    /** The transport {@code loop} runs on, chosen when the loop was made. */
    static NettyTransport transport(EventLoop loop) {
        if (loop == null) {
            throw new IllegalArgumentException("loop must not be null");
        }
        return loop.loopThread.transport;
    }

    /**
     * The socket channel class to use with {@code ioEventLoop(loop)}: the loop's Netty transport
     * decides it, so transports take it from here rather than name one.
     */
    static Class<? extends SocketChannel> socketChannelClass(EventLoop loop) {
        return transport(loop).socketChannelClass();
    }

    /** The server socket channel class to use with {@code ioEventLoop(loop)} (see {@link #socketChannelClass}). */
    static Class<? extends ServerSocketChannel> serverSocketChannelClass(EventLoop loop) {
        return transport(loop).serverSocketChannelClass();
    }

    /** The datagram channel class to use with {@code ioEventLoop(loop)} (see {@link #socketChannelClass}). */
    static Class<? extends io.netty.channel.socket.DatagramChannel> datagramChannelClass(EventLoop loop) {
        return transport(loop).datagramChannelClass();
    }

    /**
     * A future of {@code loop} that follows {@code nettyFuture}: it gets the Netty future's result,
     * failure or cancellation, and cancelling it cancels the Netty future.
     */
    static <V> Future<V> toFuture(EventLoop loop, io.netty.util.concurrent.Future<V> nettyFuture) {
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
    static <V> V await(EventLoop loop, io.netty.util.concurrent.Future<V> nettyFuture) {
        return toFuture(loop, nettyFuture).await();
    }
}
