package dev.pyconc.asyncio;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * UDP echo between pyconc and CPython's own asyncio, both ways, with exact bytes: a CPython
 * {@code create_datagram_endpoint} echo server answers pyconc's client, and pyconc's echo server
 * answers a CPython asyncio client. Skipped, saying so, where python3 is not installed.
 */
@org.junit.jupiter.api.Timeout(60)
class UdpInteropTest extends LoopTesting {
    /** The datagrams both sides send: every byte value, a single zero, a 1400-byte pattern, text. */
    static final String PAYLOADS_PY = "[bytes(range(256)), b'\\x00', bytes((i * 7 + 3) % 256 for i in range(1400)), 'héllo'.encode()]";

    static List<byte[]> payloads() {
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        byte[] pattern = new byte[1400];
        for (int i = 0; i < pattern.length; i++) {
            pattern[i] = (byte) ((i * 7 + 3) % 256);
        }
        return List.of(all, new byte[] {0}, pattern, "héllo".getBytes(UTF_8));
    }

    @BeforeAll
    static void needsPython() {
        boolean found;
        try {
            java.lang.Process p = new ProcessBuilder("python3", "-c", "import asyncio").redirectErrorStream(true).start();
            found = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            found = false;
        }
        Assumptions.assumeTrue(found, "python3 (with asyncio) is not installed: the CPython interop tests are skipped");
    }

    static java.lang.Process python(Path dir, String name, String script, String... args) throws Exception {
        Path f = Files.writeString(dir.resolve(name), script);
        List<String> cmd = new ArrayList<>(List.of("python3", f.toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** A CPython asyncio echo server (create_datagram_endpoint) answers pyconc's connected client. */
    @Test
    @DisplayName("pyconc client, CPython asyncio server")
    void pyconcClientCpythonServer(@TempDir Path dir) throws Exception {
        String server = """
                import asyncio, sys

                class Echo(asyncio.DatagramProtocol):
                    def __init__(self, done):
                        self.done = done
                    def connection_made(self, transport):
                        self.transport = transport
                    def datagram_received(self, data, addr):
                        if data == b'quit':
                            self.done.set_result(None)
                            return
                        self.transport.sendto(data, addr)

                async def main():
                    loop = asyncio.get_running_loop()
                    done = loop.create_future()
                    transport, _ = await loop.create_datagram_endpoint(lambda: Echo(done), local_addr=('127.0.0.1', 0))
                    print(transport.get_extra_info('sockname')[1], flush=True)
                    await done
                    transport.close()

                asyncio.run(main())
                """;
        java.lang.Process p = python(dir, "server.py", server);
        try {
            int port = Integer.parseInt(new BufferedReader(new InputStreamReader(p.getInputStream(), US_ASCII)).readLine().trim());
            InetSocketAddress at = new InetSocketAddress("127.0.0.1", port);
            List<byte[]> got = Asyncio.run(() -> {
                EventLoop loop = Asyncio.getRunningLoop();
                List<byte[]> received = new ArrayList<>();
                List<SocketAddress> from = new ArrayList<>();
                var tp = loop.createDatagramEndpoint(() -> new DatagramProtocol() {
                    public void datagramReceived(byte[] data, SocketAddress addr) {
                        received.add(data);
                        from.add(addr);
                    }
                }, null, at);
                for (byte[] d : payloads()) {        // one at a time: UDP does not keep order across the network
                    int before = received.size();
                    tp.transport().sendto(d);
                    StreamsTest.until("the echo of datagram " + before, () -> received.size() == before + 1);
                }
                tp.transport().sendto("quit".getBytes(US_ASCII));
                assertEquals(List.of(at, at, at, at), from);
                tp.transport().close();
                return received;
            });
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the CPython server did not end after quit");
            assertEquals(0, p.exitValue());
            List<byte[]> expected = payloads();
            assertEquals(expected.size(), got.size());
            for (int i = 0; i < expected.size(); i++) {
                assertArrayEquals(expected.get(i), got.get(i), "datagram " + i);
            }
        } finally {
            p.destroyForcibly();
        }
    }

    /** pyconc's echo server answers a CPython asyncio client, which prints what came back in hex. */
    @Test
    @DisplayName("CPython asyncio client, pyconc server")
    void cpythonClientPyconcServer(@TempDir Path dir) throws Exception {
        String client = """
                import asyncio, sys

                PAYLOADS = %s

                class Client(asyncio.DatagramProtocol):
                    def __init__(self):
                        self.queue = asyncio.Queue()
                    def datagram_received(self, data, addr):
                        self.queue.put_nowait((data, addr))

                async def main():
                    loop = asyncio.get_running_loop()
                    port = int(sys.argv[1])
                    transport, proto = await loop.create_datagram_endpoint(Client, remote_addr=('127.0.0.1', port))
                    for d in PAYLOADS:
                        transport.sendto(d)
                        data, addr = await asyncio.wait_for(proto.queue.get(), 20)
                        assert addr == ('127.0.0.1', port), addr
                        print(data.hex(), flush=True)
                    transport.close()

                asyncio.run(main())
                """.formatted(PAYLOADS_PY);
        List<byte[]> serverGot = new ArrayList<>();
        List<String> lines = Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            var server = loop.createDatagramEndpoint(() -> new DatagramProtocol() {
                DatagramTransport t;
                public void connectionMade(DatagramTransport transport) {
                    t = transport;
                }
                public void datagramReceived(byte[] data, SocketAddress addr) {
                    serverGot.add(data);
                    t.sendto(data, addr);
                }
            }, new InetSocketAddress("127.0.0.1", 0), null);
            int port = ((InetSocketAddress) server.transport().getExtraInfo("sockname")).getPort();
            List<String> out = Asyncio.toThread(() -> {
                java.lang.Process p = python(dir, "client.py", client, Integer.toString(port));
                try {
                    List<String> l = new BufferedReader(new InputStreamReader(p.getInputStream(), US_ASCII)).lines().toList();
                    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the CPython client did not end");
                    assertEquals(0, p.exitValue(), "the CPython client failed");
                    return l;
                } finally {
                    p.destroyForcibly();
                }
            });
            server.transport().close();
            return out;
        });
        List<byte[]> expected = payloads();
        assertEquals(expected.size(), lines.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(HexFormat.of().formatHex(expected.get(i)), lines.get(i), "echo " + i);
            assertArrayEquals(expected.get(i), serverGot.get(i), "datagram " + i + " as the pyconc server got it");
        }
    }
}
