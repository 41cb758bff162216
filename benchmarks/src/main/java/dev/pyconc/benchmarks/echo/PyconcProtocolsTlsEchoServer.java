package dev.pyconc.benchmarks.echo;

import java.nio.file.Path;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.Server;

/**
 * {@link PyconcProtocolsEchoServer}'s echo over TLS 1.3: {@code loop.createServer(factory, host,
 * port, ssl)} with the JDK's {@link javax.net.ssl.SSLContext} made from the key store of
 * {@code --tls KEYSTORE}. Started by {@link EchoLoad} as variant {@code pyconc-protocols-tls}.
 */
public final class PyconcProtocolsTlsEchoServer {
    private PyconcProtocolsTlsEchoServer() {
    }

    public static void main(String[] args) {
        var ssl = EchoServers.serverContext(Path.of(EchoServers.option(args, "--tls")));
        Asyncio.run(() -> {
            Server server = Asyncio.getRunningLoop().createServer(PyconcProtocolsEchoServer.Echo::new, "127.0.0.1", 0, ssl);
            EchoServers.announce(server.sockets().get(0).getPort());
            server.serveForever();
        });
    }
}
