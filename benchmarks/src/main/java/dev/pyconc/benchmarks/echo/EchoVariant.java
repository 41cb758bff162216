package dev.pyconc.benchmarks.echo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One echo server that {@link EchoLoad} drives: its name on the command line, the implementation
 * it stands for in the results, its kind (plain TCP, TLS 1.3 over TCP, UDP) and how its process
 * is started. Adding a server is one line in {@link #ALL} plus its program: a Java class of this
 * package (given {@code --tls KEYSTORE} for a TLS variant) or a mode of
 * {@code benchmarks/python/echo_server.py}.
 *
 * @param name   the variant's name ({@code --variants netty,pyconc-streams})
 * @param impl   the implementation in the results ("raw Netty", "pyconc streams", ...)
 * @param kind   what is echoed: 1 KiB over TCP, 1 KiB over TLS 1.3, 64-byte datagrams
 * @param server how its process is started
 */
record EchoVariant(String name, String impl, Kind kind, Launch server) {

    /** What a variant echoes; the variants of one kind are compared with each other. */
    enum Kind {
        TCP("echo_tcp_1k", 1024), TLS("echo_tls13_1k", 1024), UDP("echo_udp_64", 64);

        /** The prefix of the figures' names in the results. */
        final String figure;
        /** The default size of a message. */
        final int size;

        Kind(String figure, int size) {
            this.figure = figure;
            this.size = size;
        }
    }

    /** How a server's process is started. */
    sealed interface Launch permits JavaServer, PythonServer {
    }

    /** A Java program of this package, run on the load generator's class path. */
    record JavaServer(String simpleName) implements Launch {
        String className() {
            return EchoVariant.class.getPackageName() + "." + simpleName;
        }
    }

    /** benchmarks/python/echo_server.py in {@code mode} (streams, protocol, udp) on {@code loop} (asyncio, uvloop). */
    record PythonServer(String mode, String loop) implements Launch {
    }

    static final String RAW_NETTY = "raw Netty";
    static final String CPYTHON = "CPython asyncio";


    /** Every variant, in the order they run: the floor of each kind first. */
    static final List<EchoVariant> ALL = List.of(
            new EchoVariant("netty", RAW_NETTY, Kind.TCP, new JavaServer("NettyEchoServer")),
            new EchoVariant("pyconc-protocols", "pyconc protocols", Kind.TCP, new JavaServer("PyconcProtocolsEchoServer")),
            new EchoVariant("pyconc-streams", "pyconc streams", Kind.TCP, new JavaServer("PyconcStreamsEchoServer")),
            new EchoVariant("cpython", CPYTHON, Kind.TCP, new PythonServer("streams", "asyncio")),
            new EchoVariant("uvloop", "CPython uvloop", Kind.TCP, new PythonServer("streams", "uvloop")),

            new EchoVariant("netty-tls", RAW_NETTY, Kind.TLS, new JavaServer("NettyTlsEchoServer")),
            new EchoVariant("pyconc-protocols-tls", "pyconc protocols", Kind.TLS, new JavaServer("PyconcProtocolsTlsEchoServer")),
            new EchoVariant("pyconc-streams-tls", "pyconc streams", Kind.TLS, new JavaServer("PyconcStreamsTlsEchoServer")),
            new EchoVariant("cpython-tls", CPYTHON, Kind.TLS, new PythonServer("streams", "asyncio")),
            new EchoVariant("uvloop-tls", "CPython uvloop", Kind.TLS, new PythonServer("streams", "uvloop")),

            new EchoVariant("netty-udp", RAW_NETTY, Kind.UDP, new JavaServer("NettyUdpEchoServer")),
            new EchoVariant("pyconc-udp", "pyconc", Kind.UDP, new JavaServer("PyconcUdpEchoServer")),
            new EchoVariant("cpython-udp", CPYTHON, Kind.UDP, new PythonServer("udp", "asyncio")),
            new EchoVariant("uvloop-udp", "CPython uvloop", Kind.UDP, new PythonServer("udp", "uvloop")));

    /** The variant named {@code name}. */
    static EchoVariant named(String name) {
        for (EchoVariant v : ALL) {
            if (v.name().equals(name)) {
                return v;
            }
        }
        throw new IllegalArgumentException("no echo variant named " + name + "; the variants: "
                + ALL.stream().map(EchoVariant::name).toList());
    }

    /**
     * The command that starts this variant's server.
     *
     * @param java      the java command
     * @param jvmFlags  the flags of a Java server's JVM
     * @param python    the python command
     * @param scripts   the directory of echo_server.py
     * @param tls       the TLS files (TLS variants), or null
     */
    List<String> command(String java, List<String> jvmFlags, String python, Path scripts, TlsFiles tls) {
        List<String> cmd = new ArrayList<>();
        switch (server) {
            case JavaServer j -> {
                cmd.add(java);
                cmd.addAll(jvmFlags);
                cmd.add("-cp");
                cmd.add(System.getProperty("java.class.path"));
                cmd.add(j.className());
                if (kind == Kind.TLS) {
                    cmd.add("--tls");
                    cmd.add(tls.keyStore().toString());
                }
            }
            case PythonServer p -> {
                cmd.add(python);
                cmd.add(scripts.resolve("echo_server.py").toString());
                cmd.add("--mode");
                cmd.add(p.mode());
                cmd.add("--loop");
                cmd.add(p.loop());
                if (kind == Kind.TLS) {
                    cmd.add("--tls");
                    cmd.add(tls.certPem().toString());
                    cmd.add(tls.keyPem().toString());
                }
            }
        }
        return cmd;
    }
}
