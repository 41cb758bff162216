package dev.pyconc.asyncio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * pyconc's protocols against CPython's asyncio itself, over TCP and over a Unix socket: a pyconc
 * protocol server answers a CPython asyncio client, and a pyconc protocol client talks to a CPython
 * asyncio protocol server; each side checks the exact bytes. Skipped where python3 is absent.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)   // a lost callback fails, not hangs, the build
class CPythonInteropTest {
    /** The CPython peer: a server (one connection, a Protocol) or a client (streams), over tcp or unix. */
    static final String PEER = """
            import asyncio, sys

            def payload():
                return bytes(range(256)) * 64 + b"end"

            class Reverse(asyncio.Protocol):
                # over tcp the request ends with the client's EOF (half-closed); over unix when it is complete
                def __init__(self, done, at_eof):
                    self.buf = bytearray()
                    self.done = done
                    self.at_eof = at_eof
                def connection_made(self, transport):
                    self.transport = transport
                def data_received(self, data):
                    self.buf += data
                    if not self.at_eof and len(self.buf) == len(payload()):
                        self.transport.write(b"py:" + bytes(reversed(self.buf)))
                        self.transport.close()
                def eof_received(self):
                    if self.at_eof:
                        self.transport.write(b"py:" + bytes(reversed(self.buf)))
                    return False
                def connection_lost(self, exc):
                    self.done.set_result(exc)

            async def server(kind, where):
                loop = asyncio.get_running_loop()
                done = loop.create_future()
                if kind == "tcp":
                    srv = await loop.create_server(lambda: Reverse(done, True), "127.0.0.1", 0)
                    print("READY", srv.sockets[0].getsockname()[1], flush=True)
                else:
                    srv = await loop.create_unix_server(lambda: Reverse(done, False), where)
                    print("READY", where, flush=True)
                exc = await asyncio.wait_for(done, 30)
                srv.close()
                await srv.wait_closed()
                sys.exit(0 if exc is None else 3)

            async def client(kind, where):
                if kind == "tcp":
                    reader, writer = await asyncio.open_connection("127.0.0.1", int(where))
                else:
                    reader, writer = await asyncio.open_unix_connection(where)
                writer.write(payload())
                await writer.drain()
                if kind == "tcp":
                    writer.write_eof()
                reply = await asyncio.wait_for(reader.read(), 30)
                writer.close()
                await writer.wait_closed()
                print(reply.hex(), flush=True)

            mode, kind, where = sys.argv[1], sys.argv[2], sys.argv[3]
            asyncio.run(server(kind, where) if mode == "server" else client(kind, where))
            """;

    @TempDir
    static Path dir;
    static Path script;

    @BeforeAll
    static void python() throws Exception {
        boolean present;
        try {
            present = new ProcessBuilder("python3", "-c", "pass").start().waitFor() == 0;
        } catch (java.io.IOException e) {
            present = false;
        }
        Assumptions.assumeTrue(present, "python3 is not installed: the CPython interop tests need it");
        script = dir.resolve("peer.py");
        Files.writeString(script, PEER);
    }

    static byte[] payload() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < 64; i++) {
            for (int v = 0; v < 256; v++) {
                b.write(v);
            }
        }
        b.writeBytes("end".getBytes(StandardCharsets.US_ASCII));
        return b.toByteArray();
    }

    static byte[] reply(String prefix, byte[] data) {
        byte[] p = prefix.getBytes(StandardCharsets.US_ASCII);
        byte[] r = new byte[p.length + data.length];
        System.arraycopy(p, 0, r, 0, p.length);
        for (int i = 0; i < data.length; i++) {
            r[p.length + i] = data[data.length - 1 - i];
        }
        return r;
    }

    /**
     * pyconc's side of a server: reverses what it read and closes, after the peer's EOF over TCP
     * (half-closed), once the request is complete over a Unix socket (NIO's Unix channel cannot
     * half-close).
     */
    static final class JavaReverse implements Protocol {
        final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        final boolean atEof;
        Transport transport;

        JavaReverse(boolean atEof) {
            this.atEof = atEof;
        }

        @Override
        public void connectionMade(Transport t) {
            transport = t;
        }

        @Override
        public void dataReceived(byte[] data) {
            buf.writeBytes(data);
            if (!atEof && buf.size() == payload().length) {
                transport.write(reply("java:", buf.toByteArray()));
                transport.close();
            }
        }

        @Override
        public boolean eofReceived() {
            if (atEof) {
                transport.write(reply("java:", buf.toByteArray()));
            }
            return false;
        }
    }

    /** Runs the CPython client against {@code where}; returns the bytes it read back. */
    static byte[] pythonClient(String kind, String where) {
        return Asyncio.toThread(() -> {
            java.lang.Process p = new ProcessBuilder("python3", script.toString(), "client", kind, where).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
            return HexFormat.of().parseHex(out);
        });
    }

    private static void javaServerPythonClient(String kind, String unixPath) {
        byte[] got = Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            Server srv = kind.equals("tcp") ? loop.createServer(() -> new JavaReverse(true), "127.0.0.1", 0)
                    : loop.createUnixServer(() -> new JavaReverse(false), unixPath);
            byte[] r = pythonClient(kind, kind.equals("tcp") ? String.valueOf(srv.sockets().get(0).getPort()) : unixPath);
            srv.close();
            srv.waitClosed();
            return r;
        });
        assertArrayEquals(reply("java:", payload()), got);
    }

    private static void pythonServerJavaClient(String kind, String unixPath) throws Exception {
        java.lang.Process p = new ProcessBuilder("python3", script.toString(), "server", kind, kind.equals("tcp") ? "-" : unixPath)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
            String ready = out.readLine();
            assertTrue(ready != null && ready.startsWith("READY "), "the CPython server said " + ready);
            String where = ready.substring("READY ".length());
            ProtocolTesting.Recorder[] cli = new ProtocolTesting.Recorder[1];
            Asyncio.run(() -> {
                EventLoop loop = Asyncio.getRunningLoop();
                var tp = kind.equals("tcp")
                        ? loop.createConnection(() -> cli[0] = new ProtocolTesting.Recorder(), "127.0.0.1", Integer.parseInt(where))
                        : loop.createUnixConnection(() -> cli[0] = new ProtocolTesting.Recorder(), where);
                tp.transport().write(payload());
                if (kind.equals("tcp")) {
                    tp.transport().writeEof();
                }
                assertNull(cli[0].lost.await());
                return null;
            });
            assertArrayEquals(reply("py:", payload()), cli[0].data.toByteArray());
            assertEquals(List.of("made", "data"), cli[0].events.subList(0, 2));
            assertEquals("lost", cli[0].events.getLast());
            if (kind.equals("tcp")) {
                assertEquals(List.of("made", "data", "eof", "lost"), cli[0].events);   // CPython's reply, then its EOF
            }
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), "the CPython server saw the connection end cleanly");
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void javaProtocolServerAnswersCPythonClientOverTcp() {
        javaServerPythonClient("tcp", null);
    }

    @Test
    void javaProtocolClientTalksToCPythonServerOverTcp() throws Exception {
        pythonServerJavaClient("tcp", null);
    }

    @Test
    void javaProtocolServerAnswersCPythonClientOverUnixSocket() {
        javaServerPythonClient("unix", dir.resolve("j.sock").toString());
    }

    @Test
    void javaProtocolClientTalksToCPythonServerOverUnixSocket() throws Exception {
        pythonServerJavaClient("unix", dir.resolve("p.sock").toString());
    }
}
