package dev.pyconc.benchmarks.echo;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.Protocol;
import dev.pyconc.asyncio.Server;
import dev.pyconc.asyncio.Transport;

/**
 * pyconc's protocol echo: {@code loop.createServer(factory, host, port)} with a {@link Protocol}
 * whose {@code dataReceived} writes the data back, as benchmarks/python/echo_server.py's
 * {@code --mode protocol} with CPython. Started by {@link EchoLoad} as variant
 * {@code pyconc-protocols}.
 */
public final class PyconcProtocolsEchoServer {
    private PyconcProtocolsEchoServer() {
    }

    static final class Echo implements Protocol {
        private Transport transport;

        @Override
        public void connectionMade(Transport t) {
            transport = t;
        }

        @Override
        public void dataReceived(byte[] data) {
            transport.write(data);
        }
    }

    public static void main(String[] args) {
        Asyncio.run(() -> {
            Server server = Asyncio.getRunningLoop().createServer(Echo::new, "127.0.0.1", 0);
            EchoServers.announce(server.sockets().get(0).getPort());
            server.serveForever();
        });
    }
}
