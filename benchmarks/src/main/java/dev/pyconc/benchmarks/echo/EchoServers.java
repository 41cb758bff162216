package dev.pyconc.benchmarks.echo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/**
 * What the echo server programs that {@link EchoLoad} starts have in common: the line that tells
 * the load generator their port, Netty's transport (epoll where it is available, as pyconc's loop
 * picks it), and the TLS 1.3 contexts of the Java servers and the load generator, made from the
 * PKCS#12 key store that {@link TlsFiles} writes at run time.
 */
final class EchoServers {
    /*
     * Overview. A server prints ECHO-PORT <port> once it accepts, or ECHO-SKIP <reason> when it
     * cannot run here, then runs until the load generator kills it. Nothing else is written to
     * standard output before that line.
     */

    static final String PORT_LINE = "ECHO-PORT ";
    static final String SKIP_LINE = "ECHO-SKIP ";
    static final char[] PASSWORD = "pyconc-bench".toCharArray();

    private EchoServers() {
    }

    /** Tells the load generator that the server accepts on {@code port}. */
    static void announce(int port) {
        System.out.println(PORT_LINE + port);
        System.out.flush();
    }

    /** Netty's epoll when it is available here, NIO otherwise. */
    static IoHandlerFactory ioHandlerFactory() {
        return Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    static Class<? extends ServerChannel> serverChannel() {
        return Epoll.isAvailable() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    static Class<? extends DatagramChannel> datagramChannel() {
        return Epoll.isAvailable() ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }

    /** A TLS 1.3 server context with the key of {@code keyStore} (TlsFiles' PKCS#12 file). */
    static SSLContext serverContext(Path keyStore) {
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(load(keyStore), PASSWORD);
            SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a TLS context from " + keyStore, e);
        }
    }

    /** A TLS 1.3 client context that trusts the certificate of {@code keyStore}. */
    static SSLContext clientContext(Path keyStore) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(load(keyStore));
            SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a TLS context from " + keyStore, e);
        }
    }

    static KeyStore load(Path keyStore) throws GeneralSecurityException {
        try (InputStream in = Files.newInputStream(keyStore)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, PASSWORD);
            return ks;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + keyStore, e);
        }
    }

    /** The value of option {@code name} in {@code args} ("--tls FILE"), or null. */
    static String option(String[] args, String name) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return null;
    }
}
