package dev.pyconc.benchmarks.echo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import dev.pyconc.benchmarks.Results;

/**
 * The echo-server load generator: one client that drives every echo server variant in turn over
 * loopback, so that only the server differs ({@link EchoVariant#ALL}: a raw Netty handler as the
 * floor, pyconc's protocols and streams, CPython's asyncio and uvloop; plain TCP, TLS 1.3 and
 * UDP). For each variant it starts the server as a process of its own, waits for the port the
 * server announces, opens {@code --connections} connections (default 64), each on a virtual thread
 * sending a message (1 KiB over TCP and TLS, 64-byte datagrams over UDP) and reading it back,
 * {@code --warmup} round trips each (default 2,000), then {@code --round-trips} measured round
 * trips each (default 8,000), and kills the server. It reports the messages echoed per second of
 * the measured phase and the server process's CPU time per echoed message: its utime + stime from
 * {@code /proc/PID/stat} before and after the measured phase. The client shares the machine's
 * cores, so the rate understates the servers' differences; the CPU time per message is the fair
 * figure.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar \
 *      dev.pyconc.benchmarks.echo.EchoLoad [--quick] [--variants netty,pyconc-streams,...] \
 *      [--connections 64] [--round-trips 8000] [--warmup 2000] [--rounds 3] [--size BYTES] \
 *      [--python python3] [--scripts benchmarks/python] [--server-jvm "-Xmx512m ..."] [--json FILE]
 * </pre>
 *
 * {@code --quick} is the smoke size (500 measured and 200 warm-up round trips, one round).
 * {@code --rounds K} runs the whole sequence K times, alternating the variants, and takes the
 * medians. A variant that cannot run here (uvloop not importable) is skipped with a message. Every echoed message is
 * checked byte for byte; a variant that fails (a wrong echo, a server that dies) is reported with
 * the end of its server's log, the others still run, and the program ends with status 1. Linux
 * only (it reads {@code /proc}).
 */
public final class EchoLoad {
    /*
     * Overview. main() parses the options and runs the rounds; run() measures one variant:
     * start the process, read its ECHO-PORT line (a virtual thread keeps draining its output into
     * the log file afterwards), open the connections, let them warm up, meet at a barrier with
     * the main thread, which reads the server's CPU time and the clock, and let them go; the
     * last connection to finish its measured round trips counts the latch down, and the main
     * thread reads the CPU time and clock again. A failing connection breaks the barrier or
     * records its error, and the variant fails with it.
     */

    private static final long PORT_TIMEOUT_S = 120;
    private static final long RUN_TIMEOUT_S = 900;
    private static final int UDP_RESEND_MS = 1000;

    private final int connections;
    private final int roundTrips;
    private final int warmup;
    private final int size;                 // 0: the kind's default
    private final String java;
    private final List<String> jvmFlags;
    private final String python;
    private final Path scripts;
    private final Path work;
    private final long clockTicks;
    private TlsFiles tls;                   // made at the first TLS variant
    private Process server;                 // the running server, for the shutdown hook

    /** One variant's figures in one round. */
    record Measure(double msgPerSecond, double cpuUsPerMessage, long resent) {
    }

    private EchoLoad(int connections, int roundTrips, int warmup, int size, String python, Path scripts,
            List<String> jvmFlags, Path work) {
        this.connections = connections;
        this.roundTrips = roundTrips;
        this.warmup = warmup;
        this.size = size;
        this.java = ProcessHandle.current().info().command().orElse("java");
        this.jvmFlags = jvmFlags;
        this.python = python;
        this.scripts = scripts;
        this.work = work;
        this.clockTicks = clockTicks();
    }

    public static void main(String[] argv) throws Exception {
        Results results = Results.fromArgs("EchoLoad", argv);
        Map<String, String> opts = options(results.args());
        boolean quick = opts.containsKey("quick");
        int connections = Integer.parseInt(opts.getOrDefault("connections", "64"));
        int roundTrips = Integer.parseInt(opts.getOrDefault("round-trips", quick ? "500" : "8000"));
        int warmup = Integer.parseInt(opts.getOrDefault("warmup", quick ? "200" : "2000"));
        int rounds = Integer.parseInt(opts.getOrDefault("rounds", quick ? "1" : "3"));
        int size = Integer.parseInt(opts.getOrDefault("size", "0"));
        if (connections < 1 || roundTrips < 1 || warmup < 0) {
            throw new IllegalArgumentException("--connections and --round-trips must be at least 1, --warmup at least 0");
        }
        String python = opts.getOrDefault("python", "python3");
        Path scripts = Path.of(opts.getOrDefault("scripts", "benchmarks/python"));
        List<String> jvmFlags = new ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED"));
        jvmFlags.addAll(Arrays.asList(opts.getOrDefault("server-jvm", "-Xms512m -Xmx512m").trim().split("\\s+")));
        List<EchoVariant> variants = new ArrayList<>();
        for (String name : opts.getOrDefault("variants", "all").split(",")) {
            if (name.equals("all")) {
                variants.addAll(EchoVariant.ALL);
            } else {
                variants.add(EchoVariant.named(name.trim()));
            }
        }
        if (!Files.isRegularFile(scripts.resolve("echo_server.py"))) {
            throw new IllegalArgumentException(scripts.resolve("echo_server.py") + " not found: run from the repository's root or give --scripts");
        }
        results.python(Results.pythonVersion(python));
        Path work = Files.createTempDirectory("pyconc-echo");
        EchoLoad load = new EchoLoad(connections, roundTrips, warmup, size, python, scripts, jvmFlags, work);
        Runtime.getRuntime().addShutdownHook(new Thread(load::stopServer));
        System.out.printf(Locale.ROOT, "== echo servers: %d connections, %d round trips each after %d of warm-up, %d round(s); %d CPUs%n",
                connections, roundTrips, warmup, rounds, Runtime.getRuntime().availableProcessors());
        Map<String, List<Measure>> all = new LinkedHashMap<>();
        List<String> failed = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            System.out.printf(Locale.ROOT, "== round %d of %d, load %s%n", round, rounds, results.recordLoad());
            Map<String, Measure> thisRound = new LinkedHashMap<>();
            for (EchoVariant v : variants) {
                Measure m;
                try {
                    m = load.run(v);
                } catch (Skip s) {
                    if (round == 1) {
                        System.out.printf(Locale.ROOT, "%-22s skipped: %s%n", v.name(), s.getMessage());
                    }
                    continue;
                } catch (IllegalStateException e) {
                    System.out.printf(Locale.ROOT, "%-22s FAILED: %s%n", v.name(), e.getMessage());
                    failed.add(v.name());
                    continue;
                }
                System.out.printf(Locale.ROOT, "%-22s %9.1f k msg/s   server CPU %7.2f us/msg%s%n", v.name(),
                        m.msgPerSecond() / 1e3, m.cpuUsPerMessage(), m.resent() > 0 ? "   (" + m.resent() + " datagrams resent)" : "");
                results.add(v.kind().figure + "_rate", v.impl(), "msg/s", m.msgPerSecond());
                results.add(v.kind().figure + "_server_cpu", v.impl(), "us", m.cpuUsPerMessage());
                thisRound.put(v.name(), m);
                all.computeIfAbsent(v.name(), k -> new ArrayList<>()).add(m);
            }
            ratios(variants, thisRound, results);
        }
        summary(variants, all);
        results.write();
        if (!failed.isEmpty()) {
            System.out.println("== failed: " + failed);
            System.exit(1);
        }
    }

    /** Thrown when a server says it cannot run here (ECHO-SKIP). */
    static final class Skip extends Exception {
        Skip(String why) {
            super(why, null, false, false);
        }
    }

    /** The ratios of one round: each variant's CPU per message to raw Netty's and CPython's of its kind. */
    private static void ratios(List<EchoVariant> variants, Map<String, Measure> round, Results results) {
        for (EchoVariant v : variants) {
            Measure m = round.get(v.name());
            if (m == null) {
                continue;
            }
            for (String peer : List.of(EchoVariant.RAW_NETTY, EchoVariant.CPYTHON)) {
                Measure p = peerOf(variants, round, v.kind(), peer);
                if (p != null && !v.impl().equals(peer)) {
                    results.addRatio(v.kind().figure + "_server_cpu", v.impl() + " / " + peer, "lower",
                            m.cpuUsPerMessage() / p.cpuUsPerMessage());
                }
            }
        }
    }

    private static Measure peerOf(List<EchoVariant> variants, Map<String, Measure> round, EchoVariant.Kind kind, String impl) {
        for (EchoVariant v : variants) {
            if (v.kind() == kind && v.impl().equals(impl) && round.containsKey(v.name())) {
                return round.get(v.name());
            }
        }
        return null;
    }

    /** The medians of every variant, with their CPU per message as a ratio to raw Netty's and CPython's. */
    private static void summary(List<EchoVariant> variants, Map<String, List<Measure>> all) {
        Map<String, Measure> med = new LinkedHashMap<>();
        all.forEach((name, ms) -> med.put(name, new Measure(
                Results.median(ms.stream().map(Measure::msgPerSecond).toList()),
                Results.median(ms.stream().map(Measure::cpuUsPerMessage).toList()),
                ms.stream().mapToLong(Measure::resent).sum())));
        System.out.println("== medians: rate, server CPU per message, and that CPU as a ratio to raw Netty's and to CPython asyncio's");
        for (EchoVariant v : variants.stream().distinct().toList()) {
            Measure m = med.get(v.name());
            if (m == null) {
                continue;
            }
            Measure netty = peerOf(variants, med, v.kind(), EchoVariant.RAW_NETTY);
            Measure cpython = peerOf(variants, med, v.kind(), EchoVariant.CPYTHON);
            System.out.printf(Locale.ROOT, "%-6s %-18s %9.1f k msg/s %8.2f us/msg   %s x Netty   %s x CPython%n",
                    v.kind(), v.impl(), m.msgPerSecond() / 1e3, m.cpuUsPerMessage(),
                    netty == null ? "   -" : String.format(Locale.ROOT, "%5.2f", m.cpuUsPerMessage() / netty.cpuUsPerMessage()),
                    cpython == null ? "   -" : String.format(Locale.ROOT, "%5.2f", m.cpuUsPerMessage() / cpython.cpuUsPerMessage()));
        }
    }

    // ------------------------------------------------------------------ one variant

    private Measure run(EchoVariant v) throws Exception {
        if (v.kind() == EchoVariant.Kind.TLS && tls == null) {
            tls = TlsFiles.create(work, java);
        }
        Path log = work.resolve(v.name() + ".log");
        ProcessBuilder pb = new ProcessBuilder(v.command(java, jvmFlags, python, scripts, tls))
                .redirectError(ProcessBuilder.Redirect.to(log.toFile()));
        Process p = pb.start();
        server = p;
        try {
            int port = awaitPort(p, log);
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
            int n = size > 0 ? size : v.kind().size;
            return switch (v.kind()) {
                case TCP -> measure(p, i -> tcp(address, null, n, i));
                case TLS -> measure(p, i -> tcp(address, EchoServers.clientContext(tls.keyStore()), n, i));
                case UDP -> measure(p, i -> udp(address, n, i));
            };
        } catch (IOException | RuntimeException | TimeoutException | BrokenBarrierException e) {
            throw new IllegalStateException(v.name() + " failed: " + e + "; the server's log: " + tail(log), e);
        } finally {
            stopServer();
        }
    }

    private int awaitPort(Process p, Path log) throws IOException, InterruptedException, TimeoutException, Skip {
        LinkedBlockingQueue<String> first = new LinkedBlockingQueue<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                boolean announced = false;
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    if (!announced && (line.startsWith(EchoServers.PORT_LINE) || line.startsWith(EchoServers.SKIP_LINE))) {
                        announced = true;
                        first.add(line);
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
            first.add("");
        });
        String line = first.poll(PORT_TIMEOUT_S, TimeUnit.SECONDS);
        if (line == null) {
            throw new TimeoutException("no port after " + PORT_TIMEOUT_S + " s");
        }
        if (line.startsWith(EchoServers.SKIP_LINE)) {
            throw new Skip(line.substring(EchoServers.SKIP_LINE.length()));
        }
        if (line.isEmpty()) {
            p.waitFor(10, TimeUnit.SECONDS);
            throw new IOException("the server ended before it announced its port (status "
                    + (p.isAlive() ? "running" : p.exitValue()) + ")");
        }
        return Integer.parseInt(line.substring(EchoServers.PORT_LINE.length()).trim());
    }

    private synchronized void stopServer() {
        Process p = server;
        server = null;
        if (p == null) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** A client connection: warm-up, then the measured round trips; returns the datagrams resent. */
    interface Client {
        /** Runs {@code warmup} round trips, calls {@code go.run()}, runs {@code roundTrips}. */
        long run(int warmup, int roundTrips, Runnable go) throws Exception;
    }

    interface ClientFactory {
        Client open(int index) throws Exception;
    }

    private Measure measure(Process p, ClientFactory factory) throws Exception {
        CyclicBarrier start = new CyclicBarrier(connections + 1);
        CountDownLatch done = new CountDownLatch(connections);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong resent = new AtomicLong();
        List<Thread> threads = new ArrayList<>(connections);
        for (int i = 0; i < connections; i++) {
            int index = i;
            threads.add(Thread.ofVirtual().name("echo-client-" + i).start(() -> {
                try {
                    Client c = factory.open(index);
                    resent.addAndGet(c.run(warmup, roundTrips, () -> {
                        try {
                            start.await();
                        } catch (InterruptedException | BrokenBarrierException e) {
                            throw new IllegalStateException("the measured phase did not start", e);
                        }
                    }));
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    start.reset();
                } finally {
                    done.countDown();
                }
            }));
        }
        try {
            start.await(RUN_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (BrokenBarrierException e) {
            done.await(RUN_TIMEOUT_S, TimeUnit.SECONDS);
            Throwable cause = failure.get() != null ? failure.get() : e;
            throw new IllegalStateException("a connection failed before the measured phase: " + cause, cause);
        }
        long cpu0 = cpuTicks(p.pid());
        long t0 = System.nanoTime();
        if (!done.await(RUN_TIMEOUT_S, TimeUnit.SECONDS)) {
            throw new TimeoutException("the connections did not finish in " + RUN_TIMEOUT_S + " s");
        }
        long t1 = System.nanoTime();
        long cpu1 = cpuTicks(p.pid());
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a connection failed: " + failure.get(), failure.get());
        }
        double messages = (double) connections * roundTrips;
        double cpuSeconds = (double) (cpu1 - cpu0) / clockTicks;
        return new Measure(messages / ((t1 - t0) / 1e9), cpuSeconds * 1e6 / messages, resent.get());
    }

    /** A TCP connection (TLS 1.3 with {@code ssl}): writes {@code size} bytes, reads them back, checks them. */
    private static Client tcp(InetSocketAddress address, SSLContext ssl, int size, int index) throws IOException {
        Socket s = ssl == null ? new Socket() : ssl.getSocketFactory().createSocket();
        s.setTcpNoDelay(true);
        s.connect(address);
        if (s instanceof SSLSocket t) {
            t.setEnabledProtocols(new String[] {"TLSv1.3"});
            t.startHandshake();
        }
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        byte[] msg = new byte[size];
        Arrays.fill(msg, (byte) ('a' + index % 26));
        byte[] back = new byte[size];
        return (warmup, roundTrips, go) -> {
            try (s) {
                for (int i = 0, total = warmup + roundTrips; i < total; i++) {
                    if (i == warmup) {
                        go.run();
                    }
                    stamp(msg, i);
                    out.write(msg);
                    if (in.readNBytes(back, 0, size) != size) {
                        throw new IOException("connection " + index + ": the server closed the connection");
                    }
                    if (!Arrays.equals(msg, back)) {
                        throw new IOException("connection " + index + ": round trip " + i + " came back different");
                    }
                }
            }
            return 0;
        };
    }

    /**
     * A connected UDP socket: sends a datagram of {@code size} bytes and waits for it to come back,
     * sending it again after {@value #UDP_RESEND_MS} ms without an answer (a datagram may be lost);
     * an answer to an earlier send is skipped by its stamp.
     */
    private static Client udp(InetSocketAddress address, int size, int index) throws IOException {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        s.connect(address);
        s.setSoTimeout(UDP_RESEND_MS);
        byte[] msg = new byte[size];
        Arrays.fill(msg, (byte) ('a' + index % 26));
        byte[] back = new byte[size + 1];
        DatagramPacket out = new DatagramPacket(msg, size);
        DatagramPacket in = new DatagramPacket(back, back.length);
        return (warmup, roundTrips, go) -> {
            long resent = 0;
            try (s) {
                for (int i = 0, total = warmup + roundTrips; i < total; i++) {
                    if (i == warmup) {
                        go.run();
                    }
                    stamp(msg, i);
                    s.send(out);
                    while (true) {
                        try {
                            in.setLength(back.length);
                            s.receive(in);
                        } catch (SocketTimeoutException e) {
                            resent++;
                            s.send(out);
                            continue;
                        }
                        if (in.getLength() == size && Arrays.equals(back, 0, size, msg, 0, size)) {
                            break;
                        }
                        if (in.getLength() != size || !Arrays.equals(back, 4, size, msg, 4, size)) {
                            throw new IOException("connection " + index + ": datagram " + i + " came back different");
                        }
                        // the answer to an earlier send of a resent datagram: skip it
                    }
                }
            }
            return resent;
        };
    }

    private static void stamp(byte[] msg, int i) {
        msg[0] = (byte) (i >>> 24);
        msg[1] = (byte) (i >>> 16);
        msg[2] = (byte) (i >>> 8);
        msg[3] = (byte) i;
    }

    // ------------------------------------------------------------------ /proc

    /** utime + stime of process {@code pid}, in clock ticks (/proc/PID/stat, fields 14 and 15). */
    static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CPU time of process " + pid, e);
        }
    }

    /** The clock ticks per second of /proc's times (getconf CLK_TCK; 100 where it cannot run). */
    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            return p.waitFor() == 0 ? Long.parseLong(out) : 100;
        } catch (IOException | NumberFormatException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(none)";
        }
    }

    /** "--name value" options, "--quick" alone. */
    private static Map<String, String> options(String[] args) {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
            String name = args[i].substring(2);
            if (name.equals("quick")) {
                opts.put(name, "true");
            } else if (i + 1 < args.length) {
                opts.put(name, args[++i]);
            } else {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
        }
        return opts;
    }
}
