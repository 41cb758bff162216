package dev.pyconc.benchmarks.echo;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.Server;

/**
 * pyconc's streams echo, as benchmarks/python/echo_server.py's {@code --mode streams} with
 * CPython: {@code Asyncio.startServer} with a handler that reads up to 64 KiB, writes it back and
 * drains, until the end of the stream. Started by {@link EchoLoad} as variant {@code pyconc-streams}.
 */
public final class PyconcStreamsEchoServer {
    private PyconcStreamsEchoServer() {
    }

    public static void main(String[] args) {
        Asyncio.run(() -> {
            Server server = Asyncio.startServer((reader, writer) -> {
                for (byte[] data = reader.read(65536); data.length > 0; data = reader.read(65536)) {
                    writer.write(data);
                    writer.drain();
                }
                writer.close();
            }, "127.0.0.1", 0);
            EchoServers.announce(server.sockets().get(0).getPort());
            server.serveForever();
        });
    }
}
