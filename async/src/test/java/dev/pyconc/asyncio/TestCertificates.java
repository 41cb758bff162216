package dev.pyconc.asyncio;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import javax.net.ssl.SSLContext;

import dev.pyconc.ssl.Ssl;

/**
 * Certificates for TLS tests, made once per JVM with the JDK's {@code keytool} in a temporary
 * directory (deleted at exit): a test certificate authority, a server certificate it issued for
 * {@code localhost} and {@code 127.0.0.1}, and a client certificate it issued. Each is written as
 * Python reads them: a PEM chain (leaf, then the authority) and an unencrypted PKCS#8 key.
 *
 * <pre> {@code
 * TestCertificates c = TestCertificates.get();
 * SSLContext server = c.serverContext();
 * SSLContext client = c.clientContext();           // trusts the test authority only
 * }</pre>
 */
public final class TestCertificates {
    private static TestCertificates instance;

    /** The directory of the files. */
    public final Path dir;
    /** The authority's certificate (PEM): Python's {@code cafile}. */
    public final Path caPem;
    /** The server's chain and key (PEM). */
    public final Path serverChain;
    public final Path serverKey;
    /** The client's chain and key (PEM). */
    public final Path clientChain;
    public final Path clientKey;

    private TestCertificates(Path dir) {
        this.dir = dir;
        this.caPem = dir.resolve("ca.pem");
        this.serverChain = dir.resolve("server-chain.pem");
        this.serverKey = dir.resolve("server-key.pem");
        this.clientChain = dir.resolve("client-chain.pem");
        this.clientKey = dir.resolve("client-key.pem");
    }

    /** The certificates of this JVM, made on first use. */
    public static synchronized TestCertificates get() {
        if (instance == null) {
            try {
                Path dir = Files.createTempDirectory("pyconc-tls");
                TestCertificates c = new TestCertificates(dir);
                c.make();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
                instance = c;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return instance;
    }

    /** A server context with the server's chain. */
    public SSLContext serverContext() {
        return Ssl.createServerContext(serverChain, serverKey, caPem);
    }

    /** A client context that trusts the test authority only. */
    public SSLContext clientContext() {
        return Ssl.createDefaultContext(caPem);
    }

    /** A client context that trusts the test authority and presents the client certificate. */
    public SSLContext clientContextWithCertificate() {
        return Ssl.createDefaultContext(caPem, clientChain, clientKey);
    }

    private static final String PASS = "pyconc-test";

    private void make() throws IOException {
        Path ca = dir.resolve("ca.p12");
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=pyconc test CA",
                "-ext", "bc:c", "-validity", "30", "-keystore", ca.toString());
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-file", caPem.toString());
        leaf("server", "CN=localhost", "san=dns:localhost,ip:127.0.0.1", "serverAuth", serverChain, serverKey);
        leaf("client", "CN=pyconc test client", null, "clientAuth", clientChain, clientKey);
    }

    private void leaf(String name, String dname, String san, String eku, Path chain, Path key) throws IOException {
        Path ks = dir.resolve(name + ".p12");
        Path csr = dir.resolve(name + ".csr");
        Path crt = dir.resolve(name + ".crt");
        keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", dname, "-validity", "30",
                "-keystore", ks.toString());
        keytool("-certreq", "-alias", name, "-keystore", ks.toString(), "-file", csr.toString());
        List<String> gen = new ArrayList<>(List.of("-gencert", "-rfc", "-alias", "ca", "-keystore", dir.resolve("ca.p12").toString(),
                "-infile", csr.toString(), "-outfile", crt.toString(), "-validity", "30", "-ext", "eku=" + eku));
        if (san != null) {
            gen.add("-ext");
            gen.add(san);
        }
        keytool(gen.toArray(new String[0]));
        Files.writeString(chain, Files.readString(crt) + Files.readString(caPem));
        try (var in = Files.newInputStream(ks)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, PASS.toCharArray());
            PrivateKey k = (PrivateKey) store.getKey(name, PASS.toCharArray());
            String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(k.getEncoded());
            Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n" + b64 + "\n-----END PRIVATE KEY-----\n");
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void keytool(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-storetype", "PKCS12", "-storepass", PASS));
        if (!args[0].equals("-exportcert")) {
            cmd.addAll(List.of("-keypass", PASS, "-noprompt"));
        }
        java.lang.Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory: nothing else to do at exit
        }
    }
}
