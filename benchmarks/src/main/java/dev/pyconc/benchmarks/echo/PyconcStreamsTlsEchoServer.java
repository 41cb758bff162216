package dev.pyconc.benchmarks.echo;

import java.nio.file.Path;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.Server;

/**
 * {@link PyconcStreamsEchoServer}'s echo over TLS 1.3: {@code Asyncio.startServer(handler, host,
 * port, ssl)} with the JDK's {@link javax.net.ssl.SSLContext} made from the key store of
 * {@code --tls KEYSTORE}. Started by {@link EchoLoad} as variant {@code pyconc-streams-tls}.
 */
public final class PyconcStreamsTlsEchoServer {
    private PyconcStreamsTlsEchoServer() {
    }

    public static void main(String[] args) {
        var ssl = EchoServers.serverContext(Path.of(EchoServers.option(args, "--tls")));
        Asyncio.run(() -> {
            Server server = Asyncio.startServer((reader, writer) -> {
                for (byte[] data = reader.read(65536); data.length > 0; data = reader.read(65536)) {
                    writer.write(data);
                    writer.drain();
                }
                writer.close();
            }, "127.0.0.1", 0, ssl);
            EchoServers.announce(server.sockets().get(0).getPort());
            server.serveForever();
        });
    }
}
