package dev.pyconc.asyncio;

import static org.junit.jupiter.api.Assertions.*;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import dev.pyconc.async.internal.NettyTransport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.IoEventLoop;
import io.netty.channel.socket.SocketChannel;

@org.junit.jupiter.api.Timeout(60)
class NettyLoopsTest {

    /** Channels registered on the loop's Netty loop run their handlers on the loop thread; tasks await Netty futures. */
    @Test
    void echoOverLoopback() {
        String reply = Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            IoEventLoop io = NettyLoops.ioEventLoop(loop);
            String[] handlerThread = new String[1];
            var bound = new ServerBootstrap().group(io).channel(NettyLoops.serverSocketChannelClass(loop))
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    handlerThread[0] = Thread.currentThread().getName();
                                    ctx.writeAndFlush(msg);
                                }
                            });
                        }
                    }).bind("127.0.0.1", 0);
            NettyLoops.await(loop, bound);
            Channel server = bound.channel();
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            Future<String> received = loop.createFuture();
            var connected = new Bootstrap().group(io).channel(NettyLoops.socketChannelClass(loop)).handler(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ByteBuf b = (ByteBuf) msg;
                    // runs on the loop thread holding the baton: may complete the loop's future directly
                    received.setResult(b.toString(StandardCharsets.UTF_8));
                    b.release();
                }
            }).connect("127.0.0.1", port);
            NettyLoops.await(loop, connected);
            Channel client = connected.channel();
            NettyLoops.await(loop, client.writeAndFlush(Unpooled.copiedBuffer("hello", StandardCharsets.UTF_8)));
            String r = received.await();
            NettyLoops.await(loop, client.close());
            NettyLoops.await(loop, server.close());
            return r + " via " + handlerThread[0].startsWith("asyncio-loop-");
        });
        assertEquals("hello via true", reply);
    }

    /** A failed Netty future fails the loop future that follows it; cancelling the loop future cancels the Netty one. */
    @Test
    void failureAndCancellation() {
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            IoEventLoop io = NettyLoops.ioEventLoop(loop);
            var failed = io.newFailedFuture(new IllegalStateException("netty"));
            assertEquals("netty", assertThrows(IllegalStateException.class, () -> NettyLoops.await(loop, failed)).getMessage());
            io.execute(() -> {});
            var promise = io.<String>newPromise();
            Future<String> f = NettyLoops.toFuture(loop, promise);
            f.cancel();
            Asyncio.sleep(java.time.Duration.ZERO);
            assertTrue(promise.isCancelled());
            assertThrows(IllegalArgumentException.class, () -> NettyLoops.ioEventLoop(null));
            return null;
        });
    }

    /** A loop runs on epoll here (Linux x86-64 with the native jar), unless the property asks for NIO; bad values are refused. */
    @Test
    void transportFollowsTheProperty() {
        String forced = System.getProperty(NettyTransport.PROPERTY, "auto");
        boolean linuxX64 = System.getProperty("os.name").equals("Linux") && System.getProperty("os.arch").equals("amd64");
        if (linuxX64) {
            assertTrue(NettyTransport.epollAvailable(), "the linux-x86_64 native epoll jar should load here");
        }
        NettyTransport expected = forced.equals("nio") || !NettyTransport.epollAvailable()
                ? NettyTransport.NIO : NettyTransport.EPOLL;
        try (EventLoop loop = Asyncio.newEventLoop()) {
            assertEquals(expected, NettyLoops.transport(loop));
            assertEquals(expected == NettyTransport.EPOLL ? io.netty.channel.epoll.EpollSocketChannel.class
                    : io.netty.channel.socket.nio.NioSocketChannel.class, NettyLoops.socketChannelClass(loop));
        }
        String saved = System.getProperty(NettyTransport.PROPERTY);
        try {
            System.setProperty(NettyTransport.PROPERTY, "kqueue");
            assertTrue(assertThrows(IllegalArgumentException.class, Asyncio::newEventLoop).getMessage().contains("auto, epoll or nio"));
            System.setProperty(NettyTransport.PROPERTY, "nio");
            try (EventLoop loop = Asyncio.newEventLoop()) {
                assertEquals(NettyTransport.NIO, NettyLoops.transport(loop));
                assertEquals("ok", loop.runUntilComplete(() -> "ok"));
            }
        } finally {
            if (saved == null) {
                System.clearProperty(NettyTransport.PROPERTY);
            } else {
                System.setProperty(NettyTransport.PROPERTY, saved);
            }
        }
    }
}
