package dev.pyconc.examples.asyncio;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.ArrayList;
import java.util.List;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.Server;
import dev.pyconc.asyncio.StreamReader;
import dev.pyconc.asyncio.StreamWriter;
import dev.pyconc.asyncio.Streams;
import dev.pyconc.asyncio.Task;

/**
 * An echo server with many clients, as in Python's streams docs: the server runs one task per
 * connection that echoes lines until the client closes; 500 clients connect at once, each sends
 * 100 lines and checks every echo. Python:
 *
 * <pre>
 * async def handle_echo(reader, writer):
 *     async for line in reader:
 *         writer.write(line)
 *         await writer.drain()
 *     writer.close()
 *     await writer.wait_closed()
 *
 * async def client(i, port):
 *     reader, writer = await asyncio.open_connection('127.0.0.1', port)
 *     for j in range(100):
 *         writer.write(f'{i}:{j}\n'.encode())
 *         await writer.drain()
 *         assert await reader.readline() == f'{i}:{j}\n'.encode()
 *     writer.close()
 *     await writer.wait_closed()
 *
 * async def main():
 *     server = await asyncio.start_server(handle_echo, '127.0.0.1', 0)
 *     port = server.sockets[0].getsockname()[1]
 *     async with server:
 *         await asyncio.gather(*(client(i, port) for i in range(500)))
 * </pre>
 */
public final class EchoServerExample {
    private static final int CLIENTS = 500;
    private static final int LINES = 100;

    private EchoServerExample() {}

    static void handleEcho(StreamReader reader, StreamWriter writer) {
        for (byte[] line : reader) {             // async for line in reader
            writer.write(line);
            writer.drain();
        }
        writer.close();
        writer.waitClosed();
    }

    static int client(int i, int port) {
        Streams s = Asyncio.openConnection("127.0.0.1", port);
        int echoed = 0;
        for (int j = 0; j < LINES; j++) {
            byte[] line = (i + ":" + j + "\n").getBytes(UTF_8);
            s.writer().write(line);
            s.writer().drain();
            String back = new String(s.reader().readline(), UTF_8);
            if (!back.equals(i + ":" + j + "\n")) {
                throw new IllegalStateException("client " + i + " sent " + i + ":" + j + " and got back " + back);
            }
            echoed++;
        }
        s.writer().close();
        s.writer().waitClosed();
        return echoed;
    }

    public static void main(String[] args) {
        long start = System.nanoTime();
        int[] connections = new int[1];
        int total = Asyncio.run(() -> {
            try (Server server = Asyncio.startServer((r, w) -> {
                connections[0]++;
                handleEcho(r, w);
            }, "127.0.0.1", 0)) {
                int port = server.sockets().get(0).getPort();
                System.out.println("serving on " + server.sockets());
                List<Task<Integer>> clients = new ArrayList<>();
                for (int i = 0; i < CLIENTS; i++) {
                    int id = i;
                    clients.add(Asyncio.createTask(() -> client(id, port)));
                }
                int sum = 0;
                for (int n : Asyncio.gather(clients).await()) {
                    sum += n;
                }
                server.close();
                server.waitClosed();              // every connection has been closed
                return sum;
            }
        });
        double secs = (System.nanoTime() - start) / 1e9;
        System.out.printf("%d clients x %d lines: %d lines echoed and checked, %d connections served, in %.2f s (%.0f round trips/s)%n",
                CLIENTS, LINES, total, connections[0], secs, total / secs);
        if (total != CLIENTS * LINES || connections[0] != CLIENTS) {
            throw new IllegalStateException("expected " + CLIENTS * LINES + " lines over " + CLIENTS + " connections");
        }
    }
}
