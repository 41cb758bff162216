package dev.pyconc.asyncio;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.IoEventLoop;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.NetUtil;

import dev.pyconc.async.internal.NettyTransport;

/**
 * loop.create_connection, create_server and their Unix-socket forms on the loop's Netty loop, and
 * asyncio.open_connection / start_server on top of them (a {@link StreamReaderProtocol} per
 * connection). Every connection's channel is set up by {@link #initChannel}.
 */
final class Connections {
    private Connections() {}

    /** The name of a TLS handler in a connection's pipeline (before the transport's handler); plain sockets have none. */
    static final String TLS_HANDLER = "tls";

    /** The default listen backlog of Python's create_server. */
    static final int DEFAULT_BACKLOG = 100;

    static void checkHostPort(String host, int port) {
        if (host == null) {
            throw new IllegalArgumentException("host must not be null (use \"\" to listen on every interface)");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 0..65535, not " + port);
        }
    }

    static void checkBacklog(int backlog) {
        if (backlog <= 0) {
            throw new IllegalArgumentException("backlog must be > 0, not " + backlog);
        }
    }

    static Path checkPath(String path) {
        if (path == null || path.isEmpty()) {
            throw new IllegalArgumentException("path must not be " + (path == null ? "null" : "empty"));
        }
        if (path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("path must not contain NUL (Linux's abstract namespace is not supported): " + path.replace("\0", "\\0"));
        }
        try {
            return Path.of(path);
        } catch (java.nio.file.InvalidPathException e) {
            throw new IllegalArgumentException("path is not a valid path: " + e.getMessage(), e);
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
                throw new UncheckedIOException("cannot resolve '" + host + "': " + e.getMessage(), e);
            }
        });
        return List.of(all);
    }

    /** A protocol from the factory, which must make a Protocol or a BufferedProtocol. */
    static <P extends BaseProtocol> P newProtocol(Supplier<P> factory) {
        P p = factory.get();
        if (!(p instanceof Protocol) && !(p instanceof BufferedProtocol)) {
            throw new IllegalArgumentException("protocolFactory must make a Protocol or a BufferedProtocol, not "
                    + (p == null ? "null" : p.getClass().getName()));
        }
        return p;
    }

    /** Refuses a null protocol factory: every method that takes one checks it here. */
    static void checkFactory(Supplier<?> factory) {
        if (factory == null) {
            throw new IllegalArgumentException("protocolFactory must not be null");
        }
    }

    /** The protocol {@code factory} makes, which must not be null (pipes, subprocesses and datagram endpoints). */
    static <P> P make(Supplier<? extends P> factory) {
        P p = factory.get();
        if (p == null) {
            throw new IllegalArgumentException("protocolFactory returned null");
        }
        return p;
    }

    /**
     * The one place where a connection's channel is set up, client or server side: the socket's
     * options, then the handlers of its pipeline. A TLS handler, when the connection has one, goes
     * in here under {@link #TLS_HANDLER}, before the transport's handler.
     */
    static SocketTransport initChannel(EventLoop loop, Channel ch, BaseProtocol protocol, SslOptions ssl, boolean serverSide,
            String host, int port) {
        SocketTransport.configure(ch);
        SocketTransport t = new SocketTransport(loop, ch, protocol, serverSide, host);
        if (ssl != null) {
            Tls.install(ch, t, Tls.handler(ssl, serverSide, host, port), ssl);   // connectionMade waits for its handshake
        }
        ch.pipeline().addLast(t.handler());
        loop.loopThread.own(t);
        return t;
    }

    // ---------------------------------------------------------------- clients

    static <P extends BaseProtocol> TransportProtocol<Transport, P> createConnection(Supplier<P> factory, String host, int port,
            InetSocketAddress localAddr) {
        return createConnection(factory, host, port, localAddr, null);
    }

    /** As Python's create_connection; over TLS (see {@link Tls}) when {@code ssl} is not null. */
    static <P extends BaseProtocol> TransportProtocol<Transport, P> createConnection(Supplier<P> factory, String host, int port,
            InetSocketAddress localAddr, SslOptions ssl) {
        checkFactory(factory);
        checkHostPort(host, port);
        if (host.isEmpty()) {
            throw new IllegalArgumentException("host must not be empty");
        }
        EventLoop loop = Asyncio.getRunningLoop();
        List<InetSocketAddress> addrs = new ArrayList<>();
        for (InetAddress a : resolve(host)) {
            addrs.add(new InetSocketAddress(a, port));
        }
        P protocol = newProtocol(factory);
        RuntimeException first = null;
        for (InetSocketAddress a : addrs) {
            try {
                return connect(loop, NettyLoops.socketChannelClass(loop), a, localAddr, protocol, ssl, host, port);
            } catch (RuntimeException e) {
                if (Task.isCancellation(e)) {
                    throw e;
                }
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        throw first;
    }

    static <P extends BaseProtocol> TransportProtocol<Transport, P> createUnixConnection(Supplier<P> factory, String path) {
        return createUnixConnection(factory, path, null);
    }

    /**
     * As Python's create_unix_connection; over TLS when {@code ssl} is not null, which must then
     * name the server ({@code serverHostname}) unless it checks no host name, as in Python.
     */
    static <P extends BaseProtocol> TransportProtocol<Transport, P> createUnixConnection(Supplier<P> factory, String path,
            SslOptions ssl) {
        checkFactory(factory);
        Path p = checkPath(path);
        if (ssl != null && ssl.checkHostname() && ssl.serverHostname() == null) {
            throw new IllegalArgumentException("you have to pass server_hostname when using ssl");
        }
        EventLoop loop = Asyncio.getRunningLoop();
        return connect(loop, unixChannelClass(loop), unixAddress(loop, p), null, newProtocol(factory), ssl, null, -1);
    }

    /** Connects one channel to {@code remote} and waits until the protocol's connectionMade has run. */
    private static <P extends BaseProtocol> TransportProtocol<Transport, P> connect(EventLoop loop, Class<? extends Channel> channelClass,
            SocketAddress remote, SocketAddress local, P protocol, SslOptions ssl, String host, int port) {
        IoEventLoop io = NettyLoops.ioEventLoop(loop);
        SocketTransport[] made = new SocketTransport[1];
        Future<Void> ready = loop.createFuture();
        Bootstrap b = new Bootstrap().group(io).channel(channelClass)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        SocketTransport t = Connections.initChannel(loop, ch, protocol, ssl, false, host, port);
                        t.onMade(() -> {
                            if (!ready.done()) {
                                ready.setResultInternal(null);
                            }
                        });
                        made[0] = t;
                    }
                });
        ChannelFuture cf = local == null ? b.connect(remote) : b.connect(remote, local);
        try {
            NettyLoops.await(loop, cf);
            ready.await();
            if (!made[0].connectionMade()) {     // the TLS handshake failed: the transport says why
                throw made[0].handshakeError();
            }
        } catch (RuntimeException e) {
            cf.channel().close();
            if (made[0] != null) {
                loop.loopThread.disown(made[0]);       // never connected: no connectionLost will disown it
            }
            if (Task.isCancellation(e)) {
                throw e;
            }
            throw ssl != null ? Tls.translate(e, ssl) : StreamTransport.translate(e, true);
        }
        return new TransportProtocol<>(made[0], protocol);
    }

    static Streams openConnection(String host, int port, int limit) {
        return openConnection(host, port, limit, null);
    }

    static Streams openConnection(String host, int port, int limit, SslOptions ssl) {
        StreamReader.checkLimit(limit);
        EventLoop loop = Asyncio.getRunningLoop();
        var tp = createConnection(() -> new StreamReaderProtocol(loop, new StreamReader(loop, limit), null), host, port, null, ssl);
        return streams(tp.protocol());
    }

    static Streams openUnixConnection(String path, int limit) {
        return openUnixConnection(path, limit, null);
    }

    static Streams openUnixConnection(String path, int limit, SslOptions ssl) {
        StreamReader.checkLimit(limit);
        EventLoop loop = Asyncio.getRunningLoop();
        var tp = createUnixConnection(() -> new StreamReaderProtocol(loop, new StreamReader(loop, limit), null), path, ssl);
        return streams(tp.protocol());
    }

    private static Streams streams(StreamReaderProtocol p) {
        return new Streams(p.reader, p.writer());
    }

    // ---------------------------------------------------------------- servers

    static Server createServer(Supplier<? extends BaseProtocol> factory, String host, int port, int backlog, boolean startServing) {
        return createServer(factory, host, port, backlog, startServing, null);
    }

    /** As Python's create_server; each connection over TLS (the server's side) when {@code ssl} is not null. */
    static Server createServer(Supplier<? extends BaseProtocol> factory, String host, int port, int backlog, boolean startServing,
            SslOptions ssl) {
        checkFactory(factory);
        checkHostPort(host, port);
        checkBacklog(backlog);
        EventLoop loop = Asyncio.getRunningLoop();
        List<InetSocketAddress> addrs = new ArrayList<>();
        if (host.isEmpty()) {
            addrs.add(new InetSocketAddress(port));
        } else {
            for (InetAddress a : resolve(host)) {
                addrs.add(new InetSocketAddress(a, port));
            }
        }
        return listen(loop, NettyLoops.serverSocketChannelClass(loop), addrs, factory, backlog, startServing, null, ssl);
    }

    static Server createUnixServer(Supplier<? extends BaseProtocol> factory, String path, int backlog, boolean startServing) {
        return createUnixServer(factory, path, backlog, startServing, null);
    }

    static Server createUnixServer(Supplier<? extends BaseProtocol> factory, String path, int backlog, boolean startServing,
            SslOptions ssl) {
        checkFactory(factory);
        Path p = checkPath(path);
        checkBacklog(backlog);
        EventLoop loop = Asyncio.getRunningLoop();
        removeStaleSocket(p);
        if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {          // bind(2) would fail; Netty's epoll bind would unlink it
            throw new UncheckedIOException("Address '" + p + "' is already in use", new java.nio.file.FileAlreadyExistsException(p.toString()));
        }
        Server s = listen(loop, unixServerChannelClass(loop), List.of(unixAddress(loop, p)), factory, backlog, startServing,
                p.toString(), ssl);
        Object inode = inode(p);
        s.onClose(() -> {
            if (inode != null && inode.equals(inode(p))) {      // still ours: Python 3.13's cleanup_socket
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    EventLoop.LOG.warn("cannot remove the Unix socket {}: {}", p, e.toString());
                }
            }
        });
        return s;
    }

    static Server startServer(ClientConnectedCallback handler, String host, int port, int limit, int backlog, boolean startServing) {
        return startServer(handler, host, port, limit, backlog, startServing, null);
    }

    /** As Python's start_server; over TLS when {@code ssl} is not null: the callback runs once a client's handshake is done. */
    static Server startServer(ClientConnectedCallback handler, String host, int port, int limit, int backlog, boolean startServing,
            SslOptions ssl) {
        if (handler == null) {
            throw new IllegalArgumentException("the client connected callback must not be null");
        }
        StreamReader.checkLimit(limit);
        EventLoop loop = Asyncio.getRunningLoop();
        return createServer(() -> new StreamReaderProtocol(loop, new StreamReader(loop, limit), handler), host, port, backlog,
                startServing, ssl);
    }

    static Server startUnixServer(ClientConnectedCallback handler, String path, int limit, int backlog, boolean startServing) {
        return startUnixServer(handler, path, limit, backlog, startServing, null);
    }

    static Server startUnixServer(ClientConnectedCallback handler, String path, int limit, int backlog, boolean startServing,
            SslOptions ssl) {
        if (handler == null) {
            throw new IllegalArgumentException("the client connected callback must not be null");
        }
        StreamReader.checkLimit(limit);
        EventLoop loop = Asyncio.getRunningLoop();
        return createUnixServer(() -> new StreamReaderProtocol(loop, new StreamReader(loop, limit), handler), path, backlog,
                startServing, ssl);
    }

    /** Binds one listening channel per address; each accepted connection gets a protocol from the factory. */
    private static Server listen(EventLoop loop, Class<? extends ServerChannel> channelClass, List<? extends SocketAddress> addrs,
            Supplier<? extends BaseProtocol> factory, int backlog, boolean startServing, String unixPath, SslOptions ssl) {
        IoEventLoop io = NettyLoops.ioEventLoop(loop);
        Server[] server = new Server[1];
        ServerBootstrap b = new ServerBootstrap().group(io).channel(channelClass)
                .option(ChannelOption.SO_BACKLOG, backlog)
                .option(ChannelOption.AUTO_READ, false)          // listening, not accepting, until it serves
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        Server s = server[0];
                        if (s == null || s.closed()) {
                            ch.close();
                            return;
                        }
                        BaseProtocol protocol;
                        try {
                            protocol = newProtocol(factory);
                        } catch (RuntimeException e) {
                            loop.callExceptionHandler(EventLoop.context("Error on transport creation for incoming connection", e,
                                    "socket", ch));
                            ch.close();
                            return;
                        }
                        SocketTransport t;
                        try {
                            t = Connections.initChannel(loop, ch, protocol, ssl, true, null, -1);
                        } catch (RuntimeException e) {
                            loop.callExceptionHandler(EventLoop.context("Error on transport creation for incoming connection", e,
                                    "socket", ch));
                            ch.close();
                            return;
                        }
                        s.attach(t);
                    }
                });
        if (unixPath == null) {
            b.option(ChannelOption.SO_REUSEADDR, true);
        }
        List<Channel> listeners = new ArrayList<>();
        try {
            for (SocketAddress a : addrs) {
                ChannelFuture f = b.bind(a);
                try {
                    NettyLoops.await(loop, f);
                } catch (RuntimeException e) {
                    f.channel().close();
                    if (Task.isCancellation(e)) {
                        throw e;
                    }
                    RuntimeException mapped = StreamTransport.translate(e, false);
                    String where = unixPath != null ? "'" + unixPath + "'" : a.toString();
                    if (unixPath != null && String.valueOf(mapped.getMessage()).contains("in use")) {
                        throw new UncheckedIOException("Address " + where + " is already in use", new IOException(mapped.getMessage(), e));
                    }
                    throw new UncheckedIOException("error while attempting to bind on address " + where + ": "
                            + mapped.getMessage(), new IOException(mapped.getMessage(), e));
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

    // ---------------------------------------------------------------- Unix sockets

    private static Class<? extends Channel> unixChannelClass(EventLoop loop) {
        return NettyLoops.transport(loop) == NettyTransport.EPOLL ? EpollDomainSocketChannel.class : NioDomainSocketChannel.class;
    }

    private static Class<? extends ServerChannel> unixServerChannelClass(EventLoop loop) {
        return NettyLoops.transport(loop) == NettyTransport.EPOLL ? EpollServerDomainSocketChannel.class
                : NioServerDomainSocketChannel.class;
    }

    /** The address type of the loop's transport: Netty's own for epoll, the JDK's for NIO. */
    private static SocketAddress unixAddress(EventLoop loop, Path p) {
        return NettyLoops.transport(loop) == NettyTransport.EPOLL ? new DomainSocketAddress(p.toString()) : UnixDomainSocketAddress.of(p);
    }

    /** Python's create_unix_server: a socket file left at the path by an earlier server is removed before binding. */
    private static void removeStaleSocket(Path p) {
        try {
            int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            if ((mode & 0170000) == 0140000) {                 // S_ISSOCK
                Files.delete(p);
            }
        } catch (NoSuchFileException absent) {
            // nothing to remove
        } catch (IOException | UnsupportedOperationException e) {
            EventLoop.LOG.error("Unable to check or remove stale UNIX socket {}: {}", p, e.toString());
        }
    }

    private static Object inode(Path p) {
        try {
            return Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }
}
