package dev.pyconc.benchmarks.echo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * The certificate of the TLS variants, made at run time with the JDK's {@code keytool}: a
 * self-signed EC (P-256) key for "localhost" and 127.0.0.1 in a PKCS#12 key store, which the Java
 * servers and the load generator read, and the same certificate and key as PEM files, which
 * CPython's {@code ssl} reads.
 *
 * @param keyStore the PKCS#12 key store (password {@link EchoServers#PASSWORD})
 * @param certPem  the certificate, PEM
 * @param keyPem   the private key, PEM (PKCS#8, unencrypted)
 */
record TlsFiles(Path keyStore, Path certPem, Path keyPem) {
    private static final String ALIAS = "echo";

    /** Makes the key and certificate in {@code dir} with {@code keytool}, next to {@code java}. */
    static TlsFiles create(Path dir, String javaCommand) {
        Path keyStore = dir.resolve("echo.p12");
        String keytool = Path.of(javaCommand).resolveSibling("keytool").toString();
        String password = new String(EchoServers.PASSWORD);
        try {
            Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", ALIAS, "-keyalg", "EC",
                    "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                    "-validity", "2", "-storetype", "PKCS12", "-keystore", keyStore.toString(),
                    "-storepass", password, "-keypass", password)
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("keytool failed: " + out.trim());
            }
            KeyStore ks = EchoServers.load(keyStore);
            Key key = ks.getKey(ALIAS, EchoServers.PASSWORD);
            Path certPem = dir.resolve("echo-cert.pem");
            Path keyPem = dir.resolve("echo-key.pem");
            Files.writeString(certPem, pem("CERTIFICATE", ks.getCertificate(ALIAS).getEncoded()));
            Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()));
            return new TlsFiles(keyStore, certPem, keyPem);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the TLS files in " + dir, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the key store keytool wrote", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while keytool ran", e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
