package dev.pyconc.asyncio;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.*;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.pyconc.asyncio.internal.NettyLoops;

/**
 * StreamReader and StreamWriter over real loopback sockets, with openConnection and startServer.
 * The suite runs twice, on the epoll transport and (a second surefire execution) on NIO.
 */
@org.junit.jupiter.api.Timeout(60)
class StreamsTest extends LoopTesting {

    static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    static String s(byte[] b) {
        return new String(b, UTF_8);
    }

    /** An echo server that echoes line by line until the client closes. */
    static Server echoServer() {
        return Asyncio.startServer((r, w) -> {
            for (byte[] line : r) {
                w.write(line);
                w.drain();
            }
            w.close();
        }, "127.0.0.1", 0);
    }

    static int port(Server s) {
        return s.sockets().get(0).getPort();
    }

    /** Lines go to an echo server and come back in order; the loop runs on the transport the property chose. */
    @Test
    void echoLines() {
        List<String> got = Asyncio.run(() -> {
            String expected = System.getProperty(NettyLoops.TRANSPORT_PROPERTY, "auto").equals("nio") ? "NIO" : "EPOLL";
            assertEquals(expected, NettyLoops.transport(Asyncio.getRunningLoop()).name());
            Server server = echoServer();
            Streams c = Asyncio.openConnection("127.0.0.1", port(server));
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                c.writer().write(b("line " + i + "\n"));
                c.writer().drain();
                lines.add(s(c.reader().readline()));
            }
            c.writer().close();
            c.writer().waitClosed();
            server.close();
            server.waitClosed();
            return lines;
        });
        assertEquals(100, got.size());
        for (int i = 0; i < 100; i++) {
            assertEquals("line " + i + "\n", got.get(i));
        }
    }
}
