package dev.pyconc.asyncio;

import static dev.pyconc.asyncio.StreamsTest.b;
import static dev.pyconc.asyncio.StreamsTest.port;
import static dev.pyconc.asyncio.StreamsTest.s;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS against CPython's own asyncio and ssl module (python3, started by the test): pyconc's TLS
 * server answers a CPython client, and pyconc's client talks to a CPython TLS server, both
 * checking the server's certificate and host name with {@link TestCertificates}' authority. Each
 * side checks the exact bytes. Skipped when python3 is not installed.
 */
@org.junit.jupiter.api.Timeout(120)
class TlsInteropTest extends LoopTesting {
    static final TestCertificates CERTS = TestCertificates.get();
    /** 16 KiB: 64 times the 256 byte values, so a record boundary falls inside it. */
    static final String PAYLOAD_PY = "bytes(range(256)) * 64";

    @TempDir
    Path tmp;

    static byte[] payload() {
        byte[] p = new byte[256 * 64];
        for (int i = 0; i < p.length; i++) {
            p[i] = (byte) i;
        }
        return p;
    }

    static String python() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir, "python3");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    private java.lang.Process startPython(String script, String... args) throws IOException {
        String py = python();
        Assumptions.assumeTrue(py != null, "python3 is not installed: the CPython interop tests need it");
        Path file = tmp.resolve("peer.py");
        Files.writeString(file, script);
        List<String> cmd = new ArrayList<>(List.of(py, file.toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectError(tmp.resolve("stderr.txt").toFile()).start();
    }

    private String finish(java.lang.Process p, BufferedReader out) throws Exception {
        StringBuilder sb = new StringBuilder();
        String line;
        while ((line = out.readLine()) != null) {
            sb.append(line).append('\n');
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "python3 did not exit");
        assertEquals(0, p.exitValue(), () -> "python3 failed: " + readStderr());
        return sb.toString();
    }

    private String readStderr() {
        try {
            return Files.readString(tmp.resolve("stderr.txt"));
        } catch (IOException e) {
            return "(no stderr: " + e + ")";
        }
    }

    /** CPython's asyncio TLS client (ssl.create_default_context(cafile), server_hostname 'localhost') against pyconc's TLS server. */
    @Test
    void cpythonClientPyconcServer() throws Exception {
        String client = """
                import asyncio, ssl, sys
                async def main(port, cafile):
                    ctx = ssl.create_default_context(cafile=cafile)
                    r, w = await asyncio.open_connection('127.0.0.1', port, ssl=ctx, server_hostname='localhost')
                    payload = %s
                    w.write(b'hello from cpython\\n' + payload)
                    await w.drain()
                    line = await r.readline()
                    back = await r.readexactly(len(payload))
                    print(line.decode(), end='')
                    print('payload ok' if back == payload else 'payload differs')
                    print(w.get_extra_info('cipher')[1])
                    print(w.get_extra_info('peercert')['subject'])
                    w.close()
                    await w.wait_closed()
                asyncio.run(main(int(sys.argv[1]), sys.argv[2]))
                """.formatted(PAYLOAD_PY);
        List<Object> seen = new ArrayList<>();
        String out = Asyncio.run(() -> {
            Server server = Asyncio.startServer((r, w) -> {
                byte[] line = r.readline();
                seen.add(s(line));
                w.write(b("pyconc got: "));
                w.write(line);
                byte[] p = r.readexactly(payload().length);
                seen.add(java.util.Arrays.equals(p, payload()));
                w.write(p);
                w.drain();
                seen.add(s(r.read(-1)));          // the end of the stream: CPython closed
                w.close();
            }, "127.0.0.1", 0, CERTS.serverContext());
            java.lang.Process p = startPython(client, String.valueOf(port(server)), CERTS.caPem.toString());
            BufferedReader stdout = new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8));
            String result = Asyncio.toThread(() -> finish(p, stdout));
            server.close();
            server.waitClosed();
            return result;
        });
        assertEquals("pyconc got: hello from cpython\npayload ok\nTLSv1.3\n((('commonName', 'localhost'),),)\n", out);
        assertEquals(List.of("hello from cpython\n", true, ""), seen);
    }

    /** pyconc's TLS client (checking the host name 127.0.0.1 and 'localhost') against CPython's asyncio TLS server. */
    @Test
    void pyconcClientCpythonServer() throws Exception {
        String server = """
                import asyncio, ssl, sys
                async def main(chain, key, n):
                    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
                    ctx.load_cert_chain(chain, key)
                    done = asyncio.Event()
                    served = 0
                    async def handle(r, w):
                        nonlocal served
                        line = await r.readline()
                        w.write(b'cpython got: ' + line)
                        w.write(await r.readexactly(len(%s)))
                        await w.drain()
                        w.close()
                        await w.wait_closed()
                        served += 1
                        if served == n:
                            done.set()
                    srv = await asyncio.start_server(handle, '127.0.0.1', 0, ssl=ctx)
                    print(srv.sockets[0].getsockname()[1], flush=True)
                    await done.wait()
                    srv.close()
                    await srv.wait_closed()
                    print('served', served)
                asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
                """.formatted(PAYLOAD_PY);
        java.lang.Process p = startPython(server, CERTS.serverChain.toString(), CERTS.serverKey.toString(), "2");
        BufferedReader stdout = new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8));
        String first = stdout.readLine();
        assertNotNull(first, () -> "python3 printed no port: " + readStderr());
        int port = Integer.parseInt(first.trim());
        List<String> got = Asyncio.run(() -> {
            List<String> lines = new ArrayList<>();
            for (String host : List.of("127.0.0.1", "localhost")) {
                Streams c = Asyncio.openConnection(host, port, SslOptions.of(CERTS.clientContext()));
                c.writer().write(b("hello from pyconc via " + host + "\n"));
                c.writer().write(payload());
                c.writer().drain();
                lines.add(s(c.reader().readline()));
                assertArrayEquals(payload(), c.reader().readexactly(payload().length));
                assertArrayEquals(new byte[0], c.reader().read(-1), "CPython closed: the end of the stream");
                c.writer().close();
                c.writer().waitClosed();
            }
            return lines;
        });
        assertEquals(List.of("cpython got: hello from pyconc via 127.0.0.1\n", "cpython got: hello from pyconc via localhost\n"), got);
        assertEquals("served 2\n", finish(p, stdout));
    }
    /** Over a Unix socket: CPython's asyncio TLS client (open_unix_connection, server_hostname 'localhost') against pyconc's TLS Unix server. */
    @Test
    void cpythonClientPyconcUnixServer() throws Exception {
        String client = """
                import asyncio, ssl, sys
                async def main(path, cafile):
                    ctx = ssl.create_default_context(cafile=cafile)
                    r, w = await asyncio.open_unix_connection(path, ssl=ctx, server_hostname='localhost')
                    payload = %s
                    w.write(b'hello from cpython over unix\\n' + payload)
                    await w.drain()
                    line = await r.readline()
                    back = await r.readexactly(len(payload))
                    print(line.decode(), end='')
                    print('payload ok' if back == payload else 'payload differs')
                    print(w.get_extra_info('cipher')[1])
                    print(await r.read())
                    w.close()
                    await w.wait_closed()
                asyncio.run(main(sys.argv[1], sys.argv[2]))
                """.formatted(PAYLOAD_PY);
        String path = tmp.resolve("tls.sock").toString();
        List<Object> seen = new ArrayList<>();
        String out = Asyncio.run(() -> {
            Server server = Asyncio.startUnixServer((r, w) -> {
                byte[] line = r.readline();
                seen.add(s(line));
                w.write(b("pyconc got: "));
                w.write(line);
                byte[] p = r.readexactly(payload().length);
                seen.add(java.util.Arrays.equals(p, payload()));
                w.write(p);
                w.close();                        // close_notify: CPython's read() returns b''
                w.waitClosed();
            }, path, SslOptions.of(CERTS.serverContext()));
            java.lang.Process p = startPython(client, path, CERTS.caPem.toString());
            BufferedReader stdout = new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8));
            String result = Asyncio.toThread(() -> finish(p, stdout));
            server.close();
            server.waitClosed();
            return result;
        });
        assertEquals("pyconc got: hello from cpython over unix\npayload ok\nTLSv1.3\nb''\n", out);
        assertEquals(List.of("hello from cpython over unix\n", true), seen);
    }

    /** Over a Unix socket: pyconc's TLS client (server_hostname "localhost") against CPython's asyncio TLS Unix server. */
    @Test
    void pyconcClientCpythonUnixServer() throws Exception {
        String server = """
                import asyncio, ssl, sys
                async def main(chain, key, path):
                    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
                    ctx.load_cert_chain(chain, key)
                    done = asyncio.Event()
                    async def handle(r, w):
                        line = await r.readline()
                        w.write(b'cpython got: ' + line)
                        w.write(await r.readexactly(len(%s)))
                        await w.drain()
                        w.close()
                        await w.wait_closed()
                        done.set()
                    srv = await asyncio.start_unix_server(handle, path, ssl=ctx)
                    print('listening', flush=True)
                    await done.wait()
                    srv.close()
                    await srv.wait_closed()
                    print('served')
                asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3]))
                """.formatted(PAYLOAD_PY);
        String path = tmp.resolve("py.sock").toString();
        java.lang.Process p = startPython(server, CERTS.serverChain.toString(), CERTS.serverKey.toString(), path);
        BufferedReader stdout = new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8));
        assertEquals("listening", stdout.readLine(), () -> "python3 did not listen: " + readStderr());
        String got = Asyncio.run(() -> {
            Streams c = Asyncio.openUnixConnection(path, SslOptions.builder(CERTS.clientContext()).serverHostname("localhost").build());
            c.writer().write(b("hello from pyconc over unix\n"));
            c.writer().write(payload());
            c.writer().drain();
            String line = s(c.reader().readline());
            assertArrayEquals(payload(), c.reader().readexactly(payload().length));
            assertArrayEquals(new byte[0], c.reader().read(-1), "CPython closed: the end of the stream");
            c.writer().close();
            c.writer().waitClosed();
            return line;
        });
        assertEquals("cpython got: hello from pyconc over unix\n", got);
        assertEquals("served\n", finish(p, stdout));
    }
}
