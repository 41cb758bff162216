package dev.pyconc.benchmarks.echo;

import java.net.InetSocketAddress;
import java.nio.file.Path;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.handler.ssl.SslHandler;

/**
 * The floor of the TLS echo servers: {@link NettyEchoServer}'s raw handler behind Netty's
 * {@link SslHandler} with the JDK's TLS 1.3 engine (the provider pyconc's TLS uses), from the key
 * store of {@code --tls KEYSTORE}. Started by {@link EchoLoad} as variant {@code netty-tls}; it
 * needs netty-handler on the class path.
 */
public final class NettyTlsEchoServer {
    private NettyTlsEchoServer() {
    }

    public static void main(String[] args) throws InterruptedException {
        SSLContext ssl = EchoServers.serverContext(Path.of(EchoServers.option(args, "--tls")));
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EchoServers.ioHandlerFactory());
        NettyEchoServer.Echo echo = new NettyEchoServer.Echo();
        Channel server = new ServerBootstrap()
                .group(group)
                .channel(EchoServers.serverChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        SSLEngine engine = ssl.createSSLEngine();
                        engine.setUseClientMode(false);
                        engine.setEnabledProtocols(new String[] {"TLSv1.3"});
                        ch.pipeline().addLast(new SslHandler(engine), echo);
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
        EchoServers.announce(((InetSocketAddress) server.localAddress()).getPort());
        server.closeFuture().sync();
    }
}
