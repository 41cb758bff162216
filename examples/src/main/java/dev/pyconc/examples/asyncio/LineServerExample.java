package dev.pyconc.examples.asyncio;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.EventLoop;
import dev.pyconc.asyncio.Future;
import dev.pyconc.asyncio.Protocol;
import dev.pyconc.asyncio.Server;
import dev.pyconc.asyncio.Task;
import dev.pyconc.asyncio.Transport;

/**
 * A line server built on {@code loop.create_server} with a {@code Protocol}, as a Python service
 * written without streams is: the protocol splits what it receives into lines and answers each
 * with its number and the line in upper case; at the client's EOF it sends a summary and closes.
 * Ten clients, also protocols, send five lines each, then EOF, and check every byte. Python:
 *
 * <pre>
 * class LineServer(asyncio.Protocol):
 *     def connection_made(self, transport):
 *         self.transport, self.buf, self.n = transport, b'', 0
 *     def data_received(self, data):
 *         self.buf += data
 *         while b'\n' in self.buf:
 *             line, self.buf = self.buf.split(b'\n', 1)
 *             self.n += 1
 *             self.transport.write(b'%d %s\n' % (self.n, line.upper()))
 *     def eof_received(self):
 *         self.transport.write(b'bye after %d lines\n' % self.n)
 *         return False                     # close
 *
 * server = await loop.create_server(LineServer, '127.0.0.1', 0)
 * </pre>
 */
public final class LineServerExample {
    private static final int CLIENTS = 10;
    private static final int LINES = 5;

    private LineServerExample() {}

    /** The server's protocol: one per connection. */
    static final class LineServer implements Protocol {
        private Transport transport;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private int n;

        @Override
        public void connectionMade(Transport t) {
            transport = t;
        }

        @Override
        public void dataReceived(byte[] data) {
            for (byte b : data) {
                if (b != '\n') {
                    buf.write(b);
                    continue;
                }
                n++;
                String line = buf.toString(UTF_8);
                buf.reset();
                transport.write((n + " " + line.toUpperCase() + "\n").getBytes(UTF_8));
            }
        }

        @Override
        public boolean eofReceived() {
            transport.write(("bye after " + n + " lines\n").getBytes(UTF_8));
            return false;                        // close once the reply is sent
        }
    }

    /** A client's protocol: sends its lines and EOF, collects the answer until the server closes. */
    static final class LineClient implements Protocol {
        private final int id;
        private final ByteArrayOutputStream answer = new ByteArrayOutputStream();
        final Future<String> done;

        LineClient(int id, EventLoop loop) {
            this.id = id;
            this.done = loop.createFuture();
        }

        @Override
        public void connectionMade(Transport t) {
            List<byte[]> lines = new ArrayList<>();
            for (int j = 0; j < LINES; j++) {
                lines.add(("client " + id + " line " + j + "\n").getBytes(UTF_8));
            }
            t.writelines(lines);
            t.writeEof();
        }

        @Override
        public void dataReceived(byte[] data) {
            answer.writeBytes(data);
        }

        @Override
        public void connectionLost(Exception exc) {
            if (exc != null) {
                done.setException(exc);
            } else {
                done.setResult(answer.toString(UTF_8));
            }
        }
    }

    static String expected(int id) {
        StringBuilder b = new StringBuilder();
        for (int j = 0; j < LINES; j++) {
            b.append(j + 1).append(" CLIENT ").append(id).append(" LINE ").append(j).append('\n');
        }
        return b.append("bye after ").append(LINES).append(" lines\n").toString();
    }

    public static void main(String[] args) {
        int checked = Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            Server server = loop.createServer(LineServer::new, "127.0.0.1", 0);
            int port = server.sockets().get(0).getPort();
            System.out.println("line server on " + server.sockets());
            List<Task<String>> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                int id = i;
                clients.add(Asyncio.createTask(() -> loop.createConnection(() -> new LineClient(id, loop), "127.0.0.1", port)
                        .protocol().done.await()));
            }
            int ok = 0;
            for (int i = 0; i < CLIENTS; i++) {
                String got = clients.get(i).await();
                if (!got.equals(expected(i))) {
                    throw new IllegalStateException("client " + i + " got " + got);
                }
                ok++;
            }
            System.out.print("client 0 got:\n" + clients.get(0).await());
            server.close();
            server.waitClosed();
            return ok;
        });
        System.out.println(checked + " clients x " + LINES + " lines answered and checked");
    }
}
