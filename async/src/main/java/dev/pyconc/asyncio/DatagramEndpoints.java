package dev.pyconc.asyncio;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioChannelOption;

import dev.pyconc.async.internal.NettyTransport;
import dev.pyconc.builtins.OSError;

/** loop.create_datagram_endpoint on the loop's Netty loop (see UdpTransport). */
final class DatagramEndpoints {
    private DatagramEndpoints() {}

    /*
     * Overview.
     *
     * As Python's create_datagram_endpoint: the addresses are resolved (a literal at once, a name
     * in the default executor), grouped by family, and each family that has every address given is
     * tried in turn: a channel is opened with the options asked for, bound to the local address
     * (the family's wildcard, port 0, without one: Netty binds every channel, where Python leaves
     * the socket to the kernel's implicit bind at the first send) and connected to the remote one
     * unless broadcasting is allowed. The first family that works makes the endpoint; if none
     * does, the first error is raised. The protocol is made once the socket is ready, and the call
     * returns after connectionMade ran, as Python's waiter ensures.
     */

    static <P extends DatagramProtocol> TransportProtocol<DatagramTransport, P> create(
            Supplier<? extends P> protocolFactory, SocketAddress localAddr, SocketAddress remoteAddr, DatagramOptions options) {
        Connections.checkFactory(protocolFactory);
        DatagramOptions opts = options == null ? DatagramOptions.DEFAULT : options;
        InetSocketAddress local = inet(localAddr, "local_addr");
        InetSocketAddress remote = inet(remoteAddr, "remote_addr");
        EventLoop loop = Asyncio.getRunningLoop();
        if (local == null && remote == null && opts.family() == null) {
            throw new IllegalArgumentException("unexpected address family");
        }
        if (opts.reusePort() && !reusePortSupported(loop)) {
            throw new IllegalArgumentException("reuse_port not supported by socket module");
        }
        // Python's addr_infos: per family, [local, remote].
        Map<ProtocolFamily, InetSocketAddress[]> byFamily = new LinkedHashMap<>();
        if (local == null && remote == null) {
            byFamily.put(opts.family(), new InetSocketAddress[2]);
        }
        for (int idx = 0; idx < 2; idx++) {
            InetSocketAddress a = idx == 0 ? local : remote;
            if (a == null) {
                continue;
            }
            List<InetAddress> found = resolve(loop, a);
            for (InetAddress ia : found) {
                ProtocolFamily f = familyOf(ia);
                if (opts.family() != null && opts.family() != f) {
                    continue;
                }
                InetSocketAddress[] pair = byFamily.computeIfAbsent(f, k -> new InetSocketAddress[2]);
                if (pair[idx] == null) {
                    pair[idx] = new InetSocketAddress(ia, a.getPort());
                }
            }
        }
        List<Map.Entry<ProtocolFamily, InetSocketAddress[]>> pairs = new ArrayList<>();
        for (var e : byFamily.entrySet()) {
            InetSocketAddress[] p = e.getValue();
            if (!(local != null && p[0] == null || remote != null && p[1] == null)) {
                pairs.add(e);
            }
        }
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("can not get address information");
        }
        RuntimeException first = null;
        for (var e : pairs) {
            InetSocketAddress l = e.getValue()[0];
            InetSocketAddress r = e.getValue()[1];
            if (l == null) {
                l = e.getKey() == StandardProtocolFamily.INET6 ? new InetSocketAddress("::", 0) : new InetSocketAddress("0.0.0.0", 0);
            }
            try {
                return open(loop, protocolFactory, l, r, opts);
            } catch (RuntimeException x) {
                if (Task.isCancellation(x)) {
                    throw x;
                }
                if (first == null) {
                    first = x;
                } else {
                    first.addSuppressed(x);
                }
            }
        }
        throw first;
    }

    private static <P extends DatagramProtocol> TransportProtocol<DatagramTransport, P> open(EventLoop loop,
            Supplier<? extends P> protocolFactory, InetSocketAddress local, InetSocketAddress remote, DatagramOptions opts) {
        boolean connect = remote != null && !opts.allowBroadcast();
        UdpTransport[] made = new UdpTransport[1];
        Bootstrap b = new Bootstrap().group(NettyLoops.ioEventLoop(loop)).channel(NettyLoops.datagramChannelClass(loop))
                .option(ChannelOption.AUTO_READ, false)          // reading starts after connectionMade, as in Python
                .option(ChannelOption.SO_BROADCAST, opts.allowBroadcast())
                .handler(new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(DatagramChannel ch) {
                        UdpTransport t = new UdpTransport(loop, ch, remote, connect);
                        made[0] = t;
                        ch.pipeline().addLast(t.handler());
                    }
                });
        if (opts.reusePort()) {
            if (NettyLoops.transport(loop) == NettyTransport.EPOLL) {
                b.option(EpollChannelOption.SO_REUSEPORT, true);
            } else {
                b.option(NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT), true);
            }
        }
        ChannelFuture cf = connect ? b.connect(remote, local) : b.bind(local);
        try {
            NettyLoops.await(loop, cf);
        } catch (RuntimeException e) {
            cf.channel().close();
            if (Task.isCancellation(e)) {
                throw e;
            }
            RuntimeException os = UdpTransport.osError(e);
            if (os != null) {
                throw os;
            }
            throw e;
        }
        UdpTransport t = made[0];
        P protocol;
        try {
            protocol = Connections.make(protocolFactory);
        } catch (RuntimeException e) {
            cf.channel().close();
            throw e;
        }
        loop.loopThread.own(t);
        Future<Void> waiter = loop.createFuture();
        loop.callSoon(() -> {
            t.start(protocol);
            if (!waiter.done()) {
                waiter.setResult(null);
            }
        });
        try {
            waiter.await();
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
        return new TransportProtocol<>(t, protocol);
    }

    /** {@code a} as an InetSocketAddress, or null; Python's "2-tuple is expected" otherwise. */
    static InetSocketAddress inet(SocketAddress a, String what) {
        if (a == null) {
            return null;
        }
        if (!(a instanceof InetSocketAddress i)) {
            throw new IllegalArgumentException(what + ": an InetSocketAddress (Python's (host, port) 2-tuple) is "
                    + "expected, not " + a.getClass().getName());
        }
        return i;
    }

    /** The addresses of {@code a}: its own when resolved or a literal, else getaddrinfo in the default executor. */
    private static List<InetAddress> resolve(EventLoop loop, InetSocketAddress a) {
        if (!a.isUnresolved()) {
            return List.of(a.getAddress());
        }
        List<InetAddress> all = new ArrayList<>();
        for (AddrInfo i : loop.getaddrinfo(a.getHostString(), a.getPort(), null, AddrInfo.SOCK_DGRAM, 0, 0)) {
            all.add(i.address().getAddress());
        }
        if (all.isEmpty()) {
            throw new OSError("getaddrinfo() returned empty list");
        }
        return all;
    }

    static ProtocolFamily familyOf(InetAddress a) {
        return a instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
    }

    private static boolean reusePortSupported(EventLoop loop) {
        if (NettyLoops.transport(loop) == NettyTransport.EPOLL) {
            return true;
        }
        try (var ch = java.nio.channels.DatagramChannel.open()) {
            return ch.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
