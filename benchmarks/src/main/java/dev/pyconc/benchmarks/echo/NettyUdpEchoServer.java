package dev.pyconc.benchmarks.echo;

import java.net.InetSocketAddress;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;

/**
 * The floor of the UDP echo servers: a raw Netty datagram handler on one event loop thread (epoll
 * where available) that sends every datagram back to its sender, flushing when the read is
 * complete. Started by {@link EchoLoad} as variant {@code netty-udp}.
 */
public final class NettyUdpEchoServer {
    private NettyUdpEchoServer() {
    }

    static final class Echo extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            ctx.write(new DatagramPacket(packet.content().retain(), packet.sender()), ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }

    public static void main(String[] args) throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EchoServers.ioHandlerFactory());
        Channel channel = new Bootstrap()
                .group(group)
                .channel(EchoServers.datagramChannel())
                .handler(new Echo())
                .bind("127.0.0.1", 0).sync().channel();
        EchoServers.announce(((InetSocketAddress) channel.localAddress()).getPort());
        channel.closeFuture().sync();
    }
}
