package dev.pyconc.examples.asyncio;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;

import javax.net.ssl.SSLContext;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.Server;
import dev.pyconc.asyncio.SslOptions;
import dev.pyconc.asyncio.Streams;
import dev.pyconc.asyncio.Task;
import dev.pyconc.ssl.SSLCertVerificationError;
import dev.pyconc.ssl.Ssl;

/**
 * A TLS echo server and its clients. The certificates are made at run time with the JDK's
 * {@code keytool} (a certificate authority and a server certificate for {@code localhost} and
 * {@code 127.0.0.1}, written as PEM files, as Python reads them) and deleted at the end. Clients
 * check the server's certificate and host name, as Python's default context does; one client
 * that trusts only the JDK's authorities is refused. Python:
 *
 * <pre>
 * async def handle_echo(reader, writer):
 *     async for line in reader:
 *         writer.write(line)
 *     writer.close()
 *     await writer.wait_closed()
 *
 * async def main():
 *     server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
 *     server_ctx.load_cert_chain('chain.pem', 'key.pem')
 *     server = await asyncio.start_server(handle_echo, '127.0.0.1', 0, ssl=server_ctx)
 *     client_ctx = ssl.create_default_context(cafile='ca.pem')
 *     reader, writer = await asyncio.open_connection('127.0.0.1', port, ssl=client_ctx)
 *     writer.write(b'hello over TLS\n')
 *     print(await reader.readline(), writer.get_extra_info('cipher'))
 * </pre>
 */
public final class TlsEchoExample {
    private static final int CLIENTS = 20;
    private static final int LINES = 10;
    private static final String PASS = "example";

    private TlsEchoExample() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("pyconc-tls-example");
        try {
            makeCertificates(dir);
            SSLContext serverCtx = Ssl.createServerContext(dir.resolve("chain.pem"), dir.resolve("key.pem"));
            SSLContext clientCtx = Ssl.createDefaultContext(dir.resolve("ca.pem"));
            int echoed = Asyncio.run(() -> {
                try (Server server = Asyncio.startServer((r, w) -> {
                    for (byte[] line : r) {
                        w.write(line);
                        w.drain();
                    }
                    w.close();
                    w.waitClosed();
                }, "127.0.0.1", 0, serverCtx)) {
                    int port = server.sockets().get(0).getPort();
                    System.out.println("serving TLS on " + server.sockets());

                    Streams first = Asyncio.openConnection("127.0.0.1", port, clientCtx);
                    X509Certificate peer = (X509Certificate) first.writer().getExtraInfo("peercert");
                    System.out.println("server certificate: " + peer.getSubjectX500Principal().getName()
                            + ", cipher: " + first.writer().getExtraInfo("cipher"));
                    first.writer().close();

                    try {
                        Asyncio.openConnection("127.0.0.1", port, SslOptions.createDefault());
                        throw new IllegalStateException("a client that does not trust the test authority connected");
                    } catch (SSLCertVerificationError e) {
                        System.out.println("a client trusting only the JDK's authorities is refused: " + e.getMessage().lines().findFirst().orElse(""));
                    }

                    List<Task<Integer>> clients = new ArrayList<>();
                    for (int i = 0; i < CLIENTS; i++) {
                        int id = i;
                        clients.add(Asyncio.createTask(() -> client(id, port, clientCtx)));
                    }
                    int sum = 0;
                    for (int n : Asyncio.gather(clients).await()) {
                        sum += n;
                    }
                    server.close();
                    server.waitClosed();
                    return sum;
                }
            });
            System.out.printf("%d clients x %d lines echoed over TLS and checked: %d%n", CLIENTS, LINES, echoed);
            if (echoed != CLIENTS * LINES) {
                throw new IllegalStateException("expected " + CLIENTS * LINES + " lines");
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    static int client(int i, int port, SSLContext ctx) {
        Streams s = Asyncio.openConnection("127.0.0.1", port, ctx);
        int echoed = 0;
        for (int j = 0; j < LINES; j++) {
            String line = i + ":" + j + "\n";
            s.writer().write(line.getBytes(UTF_8));
            String back = new String(s.reader().readline(), UTF_8);
            if (!back.equals(line)) {
                throw new IllegalStateException("client " + i + " sent " + line + " and got back " + back);
            }
            echoed++;
        }
        s.writer().close();
        s.writer().waitClosed();
        return echoed;
    }

    /** ca.pem, chain.pem (the server's certificate, then the authority's) and key.pem (PKCS#8), with keytool. */
    static void makeCertificates(Path dir) throws Exception {
        String ca = dir.resolve("ca.p12").toString();
        String server = dir.resolve("server.p12").toString();
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-dname", "CN=example CA", "-ext", "bc:c", "-validity", "1",
                "-keystore", ca, "-keypass", PASS);
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca, "-file", dir.resolve("ca.pem").toString());
        keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-dname", "CN=localhost", "-validity", "1",
                "-keystore", server, "-keypass", PASS);
        keytool("-certreq", "-alias", "server", "-keystore", server, "-file", dir.resolve("server.csr").toString());
        keytool("-gencert", "-rfc", "-alias", "ca", "-keystore", ca, "-infile", dir.resolve("server.csr").toString(),
                "-outfile", dir.resolve("server.pem").toString(), "-validity", "1", "-ext", "san=dns:localhost,ip:127.0.0.1");
        Files.writeString(dir.resolve("chain.pem"), Files.readString(dir.resolve("server.pem")) + Files.readString(dir.resolve("ca.pem")));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(Path.of(server))) {
            ks.load(in, PASS.toCharArray());
        }
        PrivateKey key = (PrivateKey) ks.getKey("server", PASS.toCharArray());
        Files.writeString(dir.resolve("key.pem"), "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(US_ASCII)).encodeToString(key.getEncoded()) + "\n-----END PRIVATE KEY-----\n");
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-storetype", "PKCS12", "-storepass", PASS));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + out);
        }
    }
}
