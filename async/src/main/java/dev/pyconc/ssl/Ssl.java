package dev.pyconc.ssl;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * Python's {@code ssl} module functions that make contexts: {@code ssl.create_default_context()}
 * and, for servers, a context with {@code load_cert_chain(certfile, keyfile)} done. The contexts are
 * the JDK's {@link SSLContext} ({@code "TLS"}: TLS 1.2 and 1.3 with the JDK's provider); files are
 * PEM, as Python's: certificates ({@code -----BEGIN CERTIFICATE-----}, the leaf first, then the
 * chain) and a PKCS#8 private key ({@code -----BEGIN PRIVATE KEY-----}, RSA, EC or EdDSA,
 * unencrypted).
 *
 * <pre> {@code
 * SSLContext client = Ssl.createDefaultContext();                          // the JDK's trusted CAs
 * SSLContext server = Ssl.createServerContext(Path.of("chain.pem"), Path.of("key.pem"));
 * Streams s = Asyncio.openConnection("example.org", 443, SslOptions.of(client));
 * }</pre>
 *
 * <p>Hostname verification is not a property of a Java context: asyncio turns it on for every
 * client connection (see {@code SslOptions.checkHostname}), which is what Python's default context
 * does.
 *
 * <p>Memory consistency effects: none beyond the JDK's: a returned context may be shared by
 * threads and loops.
 */
public final class Ssl {
    private Ssl() {}

    private static final Pattern PEM_KEY = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    /**
     * A client context that trusts the JDK's certificate authorities (its {@code cacerts}):
     * Python's {@code ssl.create_default_context()}.
     */
    public static SSLContext createDefaultContext() {
        return context(null, null);
    }

    /**
     * A client context that trusts only the certificate authorities of the PEM file
     * {@code cafile}: Python's {@code ssl.create_default_context(cafile=...)}.
     *
     * @throws UncheckedIOException if the file cannot be read
     * @throws IllegalArgumentException if it holds no certificate
     */
    public static SSLContext createDefaultContext(Path cafile) {
        return context(null, trust(cafile));
    }

    /**
     * As {@link #createDefaultContext(Path)} ({@code cafile} null: the JDK's authorities), with the
     * client certificate chain of {@code certfile} and its key {@code keyfile} to present to servers
     * that ask for one (Python's {@code load_cert_chain}).
     */
    public static SSLContext createDefaultContext(Path cafile, Path certfile, Path keyfile) {
        return context(keys(certfile, keyfile), cafile == null ? null : trust(cafile));
    }

    /**
     * A server context with the certificate chain of {@code certfile} and the key of
     * {@code keyfile}: Python's {@code create_default_context(Purpose.CLIENT_AUTH)} followed by
     * {@code load_cert_chain(certfile, keyfile)}. Client certificates, if a server asks for them,
     * are checked against the JDK's authorities.
     */
    public static SSLContext createServerContext(Path certfile, Path keyfile) {
        return context(keys(certfile, keyfile), null);
    }

    /** As {@link #createServerContext(Path, Path)}, checking client certificates against the authorities of {@code cafile}. */
    public static SSLContext createServerContext(Path certfile, Path keyfile, Path cafile) {
        return context(keys(certfile, keyfile), trust(cafile));
    }

    private static SSLContext context(KeyManager[] keys, TrustManager[] trust) {
        try {
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(keys, trust, null);
            return c;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot make a TLS context: " + e.getMessage(), e);
        }
    }

    private static byte[] read(Path file, String what) {
        if (file == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + what + " " + file + ": " + e.getMessage(), e);
        }
    }

    private static List<Certificate> certificates(Path file, String what) {
        try (InputStream in = new ByteArrayInputStream(read(file, what))) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new IllegalArgumentException(what + " " + file + " holds no PEM certificate");
            }
            return new ArrayList<>(certs);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(what + " " + file + " is not a PEM certificate file: " + e.getMessage(), e);
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible);
        }
    }

    private static TrustManager[] trust(Path cafile) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            int i = 0;
            for (Certificate c : certificates(cafile, "cafile")) {
                ks.setCertificateEntry("ca" + i++, c);
            }
            TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            f.init(ks);
            return f.getTrustManagers();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot make trust managers: " + e.getMessage(), e);
        }
    }

    private static KeyManager[] keys(Path certfile, Path keyfile) {
        List<Certificate> chain = certificates(certfile, "certfile");
        String pem = new String(read(keyfile, "keyfile"), StandardCharsets.US_ASCII);
        Matcher m = PEM_KEY.matcher(pem);
        if (!m.find()) {
            throw new IllegalArgumentException("keyfile " + keyfile + " holds no unencrypted PKCS#8 key (-----BEGIN PRIVATE KEY-----)");
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(1));
        PrivateKey key = null;
        for (String alg : new String[] {"RSA", "EC", "EdDSA", "RSASSA-PSS"}) {
            try {
                key = KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
                break;
            } catch (GeneralSecurityException notThisOne) {
                // try the next algorithm
            }
        }
        if (key == null) {
            throw new IllegalArgumentException("keyfile " + keyfile + " holds a key of no algorithm the JDK reads (RSA, EC, EdDSA)");
        }
        try {
            char[] none = new char[0];
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("key", key, none, chain.toArray(new Certificate[0]));
            KeyManagerFactory f = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            f.init(ks, none);
            return f.getKeyManagers();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("the key of " + keyfile + " does not go with the certificate of " + certfile
                    + ": " + e.getMessage(), e);
        }
    }
}
