package dev.pyconc.asyncio;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.netty.util.NetUtil;

import dev.pyconc.builtins.OSError;

/**
 * One entry of the result of {@link EventLoop#getaddrinfo}: Python's 5-tuple
 * {@code (family, type, proto, canonname, sockaddr)} of {@code socket.getaddrinfo}. This class
 * also holds the constants of Python's {@code socket} module that {@code getaddrinfo} and
 * {@code getnameinfo} take, with Linux's values.
 *
 * <pre> {@code
 * for (AddrInfo ai : loop.getaddrinfo("localhost", 8080, null, AddrInfo.SOCK_STREAM, 0, 0)) {
 *     System.out.println(ai.family() + " " + ai.address());
 * }
 * var ni = loop.getnameinfo(new InetSocketAddress("127.0.0.1", 80), AddrInfo.NI_NUMERICSERV);
 * }</pre>
 *
 * <p>What Java cannot give: the resolver is the JDK's ({@link InetAddress#getAllByName}, which
 * reads the same hosts file and DNS as the C library, with the JDK's own cache), not
 * {@code getaddrinfo(3)}; so {@code canonname} (with {@link #AI_CANONNAME}) is the JDK's
 * canonical name (a reverse lookup of the first address), not the CNAME chain's end; a port is a
 * number only (no service names such as {@code "http"}); the flags other than
 * {@link #AI_PASSIVE}, {@link #AI_CANONNAME} and {@link #AI_NUMERICHOST} are ignored; and
 * {@code family} is INET or INET6 (null for {@code AF_UNSPEC}). An unknown name raises
 * {@link OSError} with Python's {@code socket.gaierror} message
 * {@code "[Errno -2] Name or service not known"}.
 *
 * <p>Memory consistency effects: none; a record is immutable.
 *
 * @param family    {@link StandardProtocolFamily#INET} or {@link StandardProtocolFamily#INET6}
 * @param type      {@link #SOCK_STREAM}, {@link #SOCK_DGRAM} or {@link #SOCK_RAW}
 * @param proto     {@link #IPPROTO_TCP}, {@link #IPPROTO_UDP} or 0
 * @param canonname the canonical name (first entry, with {@link #AI_CANONNAME}), else {@code ""}
 * @param address   the address and port: Python's {@code sockaddr}
 */
public record AddrInfo(ProtocolFamily family, int type, int proto, String canonname, InetSocketAddress address) {
    /** Python's {@code socket.SOCK_STREAM}. */
    public static final int SOCK_STREAM = 1;
    /** Python's {@code socket.SOCK_DGRAM}. */
    public static final int SOCK_DGRAM = 2;
    /** Python's {@code socket.SOCK_RAW}. */
    public static final int SOCK_RAW = 3;
    /** Python's {@code socket.IPPROTO_TCP}. */
    public static final int IPPROTO_TCP = 6;
    /** Python's {@code socket.IPPROTO_UDP}. */
    public static final int IPPROTO_UDP = 17;
    /** Python's {@code socket.AI_PASSIVE}: with a null host, the wildcard addresses (to bind). */
    public static final int AI_PASSIVE = 1;
    /** Python's {@code socket.AI_CANONNAME}: the first entry carries the canonical name. */
    public static final int AI_CANONNAME = 2;
    /** Python's {@code socket.AI_NUMERICHOST}: the host must be a literal; no lookup. */
    public static final int AI_NUMERICHOST = 4;
    /** Python's {@code socket.NI_NUMERICHOST}: getnameinfo gives the address, not a name. */
    public static final int NI_NUMERICHOST = 1;
    /** Python's {@code socket.NI_NUMERICSERV}: getnameinfo gives the port number, not a service name. */
    public static final int NI_NUMERICSERV = 2;
    /** Python's {@code socket.NI_NAMEREQD}: getnameinfo fails when the address has no name. */
    public static final int NI_NAMEREQD = 8;
    /** Python's {@code socket.NI_DGRAM}: the service is looked up as UDP. */
    public static final int NI_DGRAM = 16;

    /** Checks the fields: a family of INET or INET6, an address. */
    public AddrInfo {
        if (family != StandardProtocolFamily.INET && family != StandardProtocolFamily.INET6) {
            throw new IllegalArgumentException("family must be INET or INET6, not " + family);
        }
        if (address == null) {
            throw new IllegalArgumentException("address must not be null");
        }
        if (canonname == null) {
            canonname = "";
        }
    }

    /**
     * The result of {@link EventLoop#getnameinfo}: Python's {@code (host, port)} pair of strings.
     *
     * <p>Memory consistency effects: none; a record is immutable.
     *
     * @param host the host name, or the address when numeric or without a name
     * @param port the service: the port number as a string (service names are not looked up
     *             unless {@code /etc/services} names the port)
     */
    public record NameInfo(String host, String port) {
    }

    static final String NONAME = "[Errno -2] Name or service not known";

    /** socket.getaddrinfo, blocking: the loop runs it in its default executor. */
    static List<AddrInfo> getaddrinfo(String host, int port, ProtocolFamily family, int type, int proto, int flags) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 0..65535, not " + port);
        }
        if (family != null && family != StandardProtocolFamily.INET && family != StandardProtocolFamily.INET6) {
            throw new IllegalArgumentException("family must be INET, INET6 or null (AF_UNSPEC), not " + family);
        }
        if (type < 0 || type > SOCK_RAW) {
            throw new OSError("[Errno -7] ai_socktype not supported");
        }
        List<InetAddress> addrs = new ArrayList<>();
        try {
            if (host == null || host.isEmpty()) {
                if ((flags & AI_PASSIVE) != 0) {
                    addrs.add(InetAddress.getByName("0.0.0.0"));
                    addrs.add(InetAddress.getByName("::"));
                } else {
                    addrs.add(InetAddress.getByName("::1"));
                    addrs.add(InetAddress.getByName("127.0.0.1"));
                }
            } else {
                byte[] literal = NetUtil.createByteArrayFromIpAddressString(host);
                if (literal != null) {
                    addrs.add(InetAddress.getByAddress(host, literal));
                } else if ((flags & AI_NUMERICHOST) != 0) {
                    throw new OSError(NONAME);
                } else {
                    addrs.addAll(List.of(InetAddress.getAllByName(host)));
                }
            }
        } catch (UnknownHostException e) {
            throw new OSError(NONAME, e);
        }
        List<AddrInfo> out = new ArrayList<>();
        String canon = (flags & AI_CANONNAME) != 0 && !addrs.isEmpty() ? canonicalName(host, addrs.get(0)) : "";
        for (InetAddress a : addrs) {
            ProtocolFamily f = a instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
            if (family != null && family != f) {
                continue;
            }
            InetSocketAddress sa = new InetSocketAddress(a, port);
            for (int t = SOCK_STREAM; t <= SOCK_RAW; t++) {
                if (type != 0 && type != t) {
                    continue;
                }
                int p = t == SOCK_STREAM ? IPPROTO_TCP : t == SOCK_DGRAM ? IPPROTO_UDP : proto;
                if (proto != 0 && p != proto) {
                    continue;
                }
                out.add(new AddrInfo(f, t, p, out.isEmpty() ? canon : "", sa));
            }
        }
        if (out.isEmpty()) {
            throw new OSError("[Errno -9] Address family for hostname not supported");
        }
        return out;
    }

    private static String canonicalName(String host, InetAddress first) {
        if (host == null || host.isEmpty()) {
            return "";
        }
        if (NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)) {
            return host;
        }
        return first.getCanonicalHostName();
    }

    /** socket.getnameinfo, blocking: the loop runs it in its default executor. */
    static NameInfo getnameinfo(SocketAddress sockaddr, int flags) {
        if (!(sockaddr instanceof InetSocketAddress isa)) {
            throw new IllegalArgumentException("getnameinfo() argument 1 must be an InetSocketAddress (Python's "
                    + "(host, port) tuple), not " + (sockaddr == null ? "null" : sockaddr.getClass().getName()));
        }
        InetAddress a;
        try {
            a = isa.isUnresolved() ? InetAddress.getByName(isa.getHostString()) : isa.getAddress();
        } catch (UnknownHostException e) {
            throw new OSError(NONAME, e);
        }
        String numeric = a instanceof Inet6Address ? NetUtil.toAddressString(a) : a.getHostAddress();
        String host;
        if ((flags & NI_NUMERICHOST) != 0) {
            host = numeric;
        } else {
            InetAddress bare;
            try {
                bare = InetAddress.getByAddress(a.getAddress());
            } catch (UnknownHostException impossible) {
                throw new IllegalStateException(impossible);
            }
            String name = bare.getCanonicalHostName();
            boolean found = !name.equals(bare.getHostAddress());
            if (!found && (flags & NI_NAMEREQD) != 0) {
                throw new OSError(NONAME);
            }
            host = found ? name : numeric;
        }
        String port = Integer.toString(isa.getPort());
        if ((flags & NI_NUMERICSERV) == 0) {
            String name = Services.name(isa.getPort(), (flags & NI_DGRAM) != 0 ? "udp" : "tcp");
            if (name != null) {
                port = name;
            }
        }
        return new NameInfo(host, port);
    }

    /** The service names of /etc/services, read once (Python's getservbyport, as the C library reads it). */
    private static final class Services {
        static final Map<String, String> BY_PORT = load();

        static String name(int port, String proto) {
            return BY_PORT.get(port + "/" + proto);
        }

        private static Map<String, String> load() {
            Map<String, String> m = new HashMap<>();
            try {
                for (String line : Files.readAllLines(Path.of("/etc/services"))) {
                    int hash = line.indexOf('#');
                    String[] f = (hash >= 0 ? line.substring(0, hash) : line).trim().split("\\s+");
                    if (f.length >= 2 && f[1].contains("/")) {
                        m.putIfAbsent(f[1], f[0]);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // no services file: ports stay numeric
            }
            return Map.copyOf(m);
        }
    }
}
