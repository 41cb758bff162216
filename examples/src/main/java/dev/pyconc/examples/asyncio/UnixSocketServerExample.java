package dev.pyconc.examples.asyncio;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.Server;
import dev.pyconc.asyncio.StreamReader;
import dev.pyconc.asyncio.StreamWriter;
import dev.pyconc.asyncio.Streams;

/**
 * A metrics agent on a Unix domain socket, as a local service answers its neighbours without a
 * TCP port: {@code asyncio.start_unix_server} serves {@code INC name} and {@code GET name} lines;
 * two clients connect with {@code asyncio.open_unix_connection}, count, and read back. The socket
 * file is removed when the server closes. Python:
 *
 * <pre>
 * counters = {}
 *
 * async def handle(reader, writer):
 *     async for line in reader:
 *         cmd, name = line.decode().split()
 *         if cmd == 'INC':
 *             counters[name] = counters.get(name, 0) + 1
 *         writer.write(b'%d\n' % counters.get(name, 0))
 *         await writer.drain()
 *     writer.close()
 *
 * server = await asyncio.start_unix_server(handle, path)
 * reader, writer = await asyncio.open_unix_connection(path)
 * </pre>
 */
public final class UnixSocketServerExample {
    private UnixSocketServerExample() {}

    static void handle(Map<String, Integer> counters, StreamReader reader, StreamWriter writer) {
        for (byte[] line : reader) {
            String[] cmd = new String(line, UTF_8).trim().split(" ");
            if (cmd[0].equals("INC")) {
                counters.merge(cmd[1], 1, Integer::sum);
            }
            writer.write((counters.getOrDefault(cmd[1], 0) + "\n").getBytes(UTF_8));
            writer.drain();
        }
        writer.close();
    }

    /** Sends one command, returns the number answered. */
    static int ask(Streams s, String command) {
        s.writer().write((command + "\n").getBytes(UTF_8));
        s.writer().drain();
        return Integer.parseInt(new String(s.reader().readline(), UTF_8).trim());
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("pyconc-agent");
        String path = dir.resolve("metrics.sock").toString();
        Map<String, Integer> counters = new TreeMap<>();       // touched only by the loop's tasks: no lock
        Asyncio.run(() -> {
            Server server = Asyncio.startUnixServer((r, w) -> handle(counters, r, w), path);
            System.out.println("metrics agent on " + server.socketAddresses());
            Streams web = Asyncio.openUnixConnection(path);
            Streams worker = Asyncio.openUnixConnection(path);
            System.out.println("connected to " + web.writer().getExtraInfo("peername"));
            for (int i = 0; i < 3; i++) {
                ask(web, "INC requests");
            }
            ask(worker, "INC jobs");
            int requests = ask(worker, "GET requests");
            int jobs = ask(web, "GET jobs");
            System.out.println("requests=" + requests + " jobs=" + jobs);
            if (requests != 3 || jobs != 1) {
                throw new IllegalStateException("expected requests=3 jobs=1, got " + counters);
            }
            for (Streams s : new Streams[] {web, worker}) {
                s.writer().close();
                s.writer().waitClosed();
            }
            server.close();
            server.waitClosed();
            return null;
        });
        System.out.println("socket file removed on close: " + !Files.exists(Path.of(path)));
        Files.delete(dir);
    }
}
