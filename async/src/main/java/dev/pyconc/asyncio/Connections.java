package dev.pyconc.asyncio;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.IoEventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.NetUtil;

/** asyncio.open_connection and asyncio.start_server on the loop's Netty loop. */
final class Connections {
    private Connections() {}

    static void checkHostPort(String host, int port) {
        if (host == null) {
            throw new IllegalArgumentException("host must not be null (use \"\" to listen on every interface)");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 0..65535, not " + port);
        }
    }

    /** The addresses of `host`: a literal at once, a name through the default executor (getaddrinfo blocks). */
    static List<InetAddress> resolve(String host) {
        byte[] literal = NetUtil.createByteArrayFromIpAddressString(host);
        try {
            if (literal != null) {
                return List.of(InetAddress.getByAddress(literal));
            }
        } catch (UnknownHostException impossible) {
            throw new IllegalArgumentException(impossible);
        }
        InetAddress[] all = Asyncio.toThread(() -> {
            try {
                return InetAddress.getAllByName(host);
            } catch (UnknownHostException e) {
                throw new java.io.UncheckedIOException("cannot resolve '" + host + "': " + e.getMessage(), e);
            }
        });
        return List.of(all);
    }

    static Streams openConnection(String host, int port, int limit) {
        return openConnection(host, port, limit, null);
    }

    /** As Python's open_connection; with TLS (see {@link Tls}) when {@code ssl} is not null. */
    static Streams openConnection(String host, int port, int limit, SslOptions ssl) {
        checkHostPort(host, port);
        if (host.isEmpty()) {
            throw new IllegalArgumentException("host must not be empty");
        }
        StreamReader.checkLimit(limit);
        EventLoop loop = Asyncio.getRunningLoop();
        IoEventLoop io = NettyLoops.ioEventLoop(loop);
        RuntimeException first = null;
        for (InetAddress a : resolve(host)) {
            StreamReader reader = new StreamReader(loop, limit);
            io.netty.handler.ssl.SslHandler tls = ssl == null ? null : Tls.handler(ssl, false, host, port);
            SocketTransport[] made = new SocketTransport[1];
            ChannelFuture cf = new Bootstrap().group(io).channel(NettyLoops.socketChannelClass(loop))
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            SocketTransport.configure(ch);
                            SocketTransport t = new SocketTransport(loop, ch, reader, false, host);
                            made[0] = t;
                            ch.pipeline().addLast(t.handler());
                            if (ssl != null) {
                                Tls.install(ch, t, tls, ssl);
                            }
                        }
                    })
                    .connect(new InetSocketAddress(a, port));
            try {
                NettyLoops.await(loop, cf);
            } catch (RuntimeException e) {
                if (Task.isCancellation(e)) {
                    cf.channel().close();
                    throw e;
                }
                RuntimeException mapped = StreamTransport.translate(e, true);
                if (first == null) {
                    first = mapped;
                } else {
                    first.addSuppressed(mapped);
                }
                continue;
            }
            SocketTransport t = made[0];
            loop.loopThread.own(t);
            if (!cf.channel().isActive()) {
                t.connectionLost(null);
            }
            if (ssl != null) {
                try {
                    Tls.handshake(loop, t.tls, ssl).await();
                } catch (RuntimeException e) {
                    t.abort();
                    throw e;
                }
            }
            return new Streams(reader, new StreamWriter(t, reader));
        }
        throw first;
    }

    static Server startServer(ClientConnectedCallback handler, String host, int port, int limit, int backlog, boolean startServing) {
        return startServer(handler, host, port, limit, backlog, startServing, null);
    }

    /**
     * As Python's start_server; with TLS (see {@link Tls}) when {@code ssl} is not null: the
     * callback runs once the handshake is done, and a connection whose handshake fails is closed
     * without it (logged at debug level, as Python does for an OSError).
     */
    static Server startServer(ClientConnectedCallback handler, String host, int port, int limit, int backlog, boolean startServing,
            SslOptions ssl) {
        if (handler == null) {
            throw new IllegalArgumentException("the client connected callback must not be null");
        }
        checkHostPort(host, port);
        StreamReader.checkLimit(limit);
        if (backlog <= 0) {
            throw new IllegalArgumentException("backlog must be > 0, not " + backlog);
        }
        EventLoop loop = Asyncio.getRunningLoop();
        IoEventLoop io = NettyLoops.ioEventLoop(loop);
        List<InetSocketAddress> addrs = new ArrayList<>();
        if (host.isEmpty()) {
            addrs.add(new InetSocketAddress(port));
        } else {
            for (InetAddress a : resolve(host)) {
                addrs.add(new InetSocketAddress(a, port));
            }
        }
        Server[] server = new Server[1];
        ServerBootstrap b = new ServerBootstrap().group(io).channel(NettyLoops.serverSocketChannelClass(loop))
                .option(ChannelOption.SO_BACKLOG, backlog)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.AUTO_READ, false)          // listening, not accepting, until it serves
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        Server s = server[0];
                        if (s == null || s.closed()) {
                            ch.close();
                            return;
                        }
                        SocketTransport.configure(ch);
                        StreamReader reader = new StreamReader(loop, limit);
                        SocketTransport t = new SocketTransport(loop, ch, reader, true, null);
                        ch.pipeline().addLast(t.handler());
                        loop.loopThread.own(t);
                        s.attach(t);
                        if (ssl == null) {
                            serve(loop, handler, t, reader);
                            return;
                        }
                        Tls.install(ch, t, Tls.handler(ssl, true, null, -1), ssl);
                        Tls.handshake(loop, t.tls, ssl).addDoneCallback(h -> {
                            if (h.exception() == null) {
                                serve(loop, handler, t, reader);
                            } else {
                                EventLoop.LOG.debug("{}: SSL handshake failed", t, h.exception());
                                t.abort();
                            }
                        });
                    }
                });
        List<Channel> listeners = new ArrayList<>();
        try {
            for (InetSocketAddress a : addrs) {
                ChannelFuture f = b.bind(a);
                try {
                    NettyLoops.await(loop, f);
                } catch (RuntimeException e) {
                    if (Task.isCancellation(e)) {
                        f.channel().close();
                        throw e;
                    }
                    f.channel().close();
                    RuntimeException mapped = StreamTransport.translate(e, false);
                    throw new java.io.UncheckedIOException("error while attempting to bind on address " + a + ": "
                            + mapped.getMessage(), new java.io.IOException(mapped.getMessage(), e));
                }
                listeners.add(f.channel());
            }
        } catch (RuntimeException e) {
            for (Channel c : listeners) {
                c.close();
            }
            throw e;
        }
        Server s = new Server(loop, listeners);
        server[0] = s;
        if (startServing) {
            s.startAccepting();
        }
        return s;
    }

    /** Starts the client connected callback's task on a new connection of a server. */
    private static void serve(EventLoop loop, ClientConnectedCallback handler, SocketTransport t, StreamReader reader) {
        StreamWriter writer = new StreamWriter(t, reader);
        Task<Void> task = loop.createTask(() -> {
            handler.accept(reader, writer);
            return (Void) null;
        }, null);
        task.addDoneCallback(done -> {
            if (done.cancelled()) {
                t.close();
                return;
            }
            Throwable e = done.exception();
            if (e != null) {
                var c = EventLoop.context("Unhandled exception in client_connected_cb", e, "transport", t);
                loop.callExceptionHandler(c);
                t.close();
            }
        });
    }
}
