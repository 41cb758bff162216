package dev.pyconc.benchmarks.echo;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;

import java.net.InetSocketAddress;

/**
 * The floor of the TCP echo servers: a raw Netty handler on one event loop thread (epoll where
 * available) that writes back every buffer it reads and flushes when the read is complete. No
 * pyconc code runs in this process. Started by {@link EchoLoad} as variant {@code netty}.
 */
public final class NettyEchoServer {
    private NettyEchoServer() {
    }

    @Sharable
    static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg, ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    public static void main(String[] args) throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EchoServers.ioHandlerFactory());
        Echo echo = new Echo();
        Channel server = new ServerBootstrap()
                .group(group)
                .channel(EchoServers.serverChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(echo)
                .bind("127.0.0.1", 0).sync().channel();
        EchoServers.announce(((InetSocketAddress) server.localAddress()).getPort());
        server.closeFuture().sync();
    }
}
