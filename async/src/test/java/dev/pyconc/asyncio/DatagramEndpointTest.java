package dev.pyconc.asyncio;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.*;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioChannelOption;

import dev.pyconc.async.internal.NettyTransport;
import dev.pyconc.builtins.ConnectionRefusedError;
import dev.pyconc.builtins.OSError;

/**
 * loop.createDatagramEndpoint and its transport over real loopback UDP sockets, after CPython's
 * test_events.py, test_base_events.py and test_selector_events.py (SelectorDatagramTransportTests).
 * The class runs twice: on the transport the loop picks and, in a second surefire execution, with
 * {@code -Dpyconc.asyncio.transport=nio}.
 */
@org.junit.jupiter.api.Timeout(60)
class DatagramEndpointTest extends LoopTesting {
    static final InetSocketAddress LOCAL0 = new InetSocketAddress("127.0.0.1", 0);

    /** CPython's MyDatagramProto: a state machine INITIAL, INITIALIZED, CLOSED, and the bytes received. */
    static class MyDatagramProto implements DatagramProtocol {
        String state = "INITIAL";
        int nbytes;
        DatagramTransport transport;
        final Future<Void> done = Asyncio.getRunningLoop().createFuture();
        final List<String> events = new ArrayList<>();
        final List<Exception> errors = new ArrayList<>();
        final List<SocketAddress> senders = new ArrayList<>();

        @Override
        public void connectionMade(DatagramTransport t) {
            assertEquals("INITIAL", state);
            transport = t;
            state = "INITIALIZED";
            events.add("made");
        }

        @Override
        public void datagramReceived(byte[] data, SocketAddress addr) {
            assertEquals("INITIALIZED", state);
            nbytes += data.length;
            senders.add(addr);
            events.add("data:" + new String(data, US_ASCII));
        }

        @Override
        public void errorReceived(Exception exc) {
            assertEquals("INITIALIZED", state);
            errors.add(exc);
            events.add("error");
        }

        @Override
        public void pauseWriting() {
            events.add("pause");
        }

        @Override
        public void resumeWriting() {
            events.add("resume");
        }

        @Override
        public void connectionLost(Exception exc) {
            assertEquals("INITIALIZED", state);
            state = "CLOSED";
            events.add("lost:" + exc);
            done.setResult(null);
        }
    }

    /** Answers each datagram with "resp:" and the datagram. */
    static final class Responder extends MyDatagramProto {
        @Override
        public void datagramReceived(byte[] data, SocketAddress addr) {
            super.datagramReceived(data, addr);
            byte[] r = new byte[data.length + 5];
            System.arraycopy("resp:".getBytes(US_ASCII), 0, r, 0, 5);
            System.arraycopy(data, 0, r, 5, data.length);
            transport.sendto(r, addr);
        }
    }

    static boolean nio() {
        return System.getProperty(NettyTransport.PROPERTY, "auto").equals("nio") || !NettyTransport.epollAvailable();
    }

    static InetSocketAddress sockname(DatagramTransport t) {
        return (InetSocketAddress) t.getExtraInfo("sockname");
    }

    /** A loopback port where nothing listens now: bound by a JDK socket, then closed. */
    static InetSocketAddress deadPort() throws Exception {
        try (var ch = java.nio.channels.DatagramChannel.open()) {
            ch.bind(LOCAL0);
            return (InetSocketAddress) ch.getLocalAddress();
        }
    }

    @Test
    @DisplayName("test_create_datagram_endpoint")
    void testCreateDatagramEndpoint() {
        createDatagramEndpoint(LOCAL0, "127.0.0.1");
    }

    @Test
    @DisplayName("test_create_datagram_endpoint_ipv6")
    void testCreateDatagramEndpointIpv6() throws Exception {
        boolean ipv6;
        try (var ch = java.nio.channels.DatagramChannel.open(StandardProtocolFamily.INET6)) {
            ch.bind(new InetSocketAddress("::1", 0));
            ipv6 = true;
        } catch (java.io.IOException | UnsupportedOperationException e) {
            ipv6 = false;
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(ipv6, "IPv6 not supported or enabled");
        createDatagramEndpoint(new InetSocketAddress("::1", 0), "0:0:0:0:0:0:0:1");
    }

    void createDatagramEndpoint(InetSocketAddress local, String host) {
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            var s = loop.createDatagramEndpoint(Responder::new, local, null);
            Responder server = s.protocol();
            assertEquals("INITIALIZED", server.state);
            assertSame(server.transport, s.transport());
            InetSocketAddress at = sockname(s.transport());
            assertEquals(host, at.getAddress().getHostAddress());
            assertNull(s.transport().getExtraInfo("peername"));

            var c = loop.createDatagramEndpoint(MyDatagramProto::new, null, at);
            MyDatagramProto client = c.protocol();
            assertEquals("INITIALIZED", client.state);
            assertSame(client.transport, c.transport());
            assertEquals(at, c.transport().getExtraInfo("peername"));
            assertInstanceOf(DatagramChannel.class, c.transport().getExtraInfo("socket"));

            c.transport().sendto("xxx".getBytes(US_ASCII));
            StreamsTest.until("the server got 3 bytes", () -> server.nbytes == 3);
            StreamsTest.until("the client got 8 bytes", () -> client.nbytes == 8);
            assertEquals(List.of("made", "data:resp:xxx"), client.events);
            assertEquals(List.of(sockname(c.transport())), server.senders);
            assertEquals(List.of(at), client.senders);
            assertNotNull(c.transport().getExtraInfo("sockname"));

            c.transport().close();
            assertTrue(c.transport().isClosing());
            client.done.await();
            assertEquals("CLOSED", client.state);
            assertEquals(List.of("made", "data:resp:xxx", "lost:null"), client.events);
            s.transport().close();
            server.done.await();
            return null;
        });
    }

    @Test
    @DisplayName("test_create_datagram_endpoint_noaddr_nofamily")
    void testCreateDatagramEndpointNoaddrNofamily() {
        Asyncio.run(() -> {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> Asyncio.getRunningLoop().createDatagramEndpoint(MyDatagramProto::new, null, null));
            assertEquals("unexpected address family", e.getMessage());
            return null;
        });
    }

    @Test
    @DisplayName("test_create_datagram_endpoint_no_matching_family")
    void testCreateDatagramEndpointNoMatchingFamily() {
        Asyncio.run(() -> {
            var e = assertThrows(IllegalArgumentException.class, () -> Asyncio.getRunningLoop().createDatagramEndpoint(
                    MyDatagramProto::new, new InetSocketAddress("::1", 0), new InetSocketAddress("127.0.0.1", 9)));
            assertEquals("can not get address information", e.getMessage());
            return null;
        });
    }

    @Test
    @DisplayName("test_create_datagram_endpoint_addr_error")
    void testCreateDatagramEndpointAddrError() {
        Asyncio.run(() -> {
            var e = assertThrows(IllegalArgumentException.class, () -> Asyncio.getRunningLoop().createDatagramEndpoint(
                    MyDatagramProto::new, UnixDomainSocketAddress.of("/tmp/x"), null));
            assertEquals("local_addr: an InetSocketAddress (Python's (host, port) 2-tuple) is expected, not "
                    + "java.net.UnixDomainSocketAddress", e.getMessage());
            return null;
        });
    }

    @Test
    @DisplayName("test_create_datagram_endpoint_cant_bind")
    void testCreateDatagramEndpointCantBind() {
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            var first = loop.createDatagramEndpoint(MyDatagramProto::new, LOCAL0, null);
            OSError e = assertThrows(OSError.class,
                    () -> loop.createDatagramEndpoint(MyDatagramProto::new, sockname(first.transport()), null));
            assertEquals(nio() ? "Address already in use" : "[Errno 98] Address already in use", e.getMessage());
            first.transport().close();
            first.protocol().done.await();
            return null;
        });
    }

    @Test
    @DisplayName("test_create_datagram_endpoint_sockopts")
    void testCreateDatagramEndpointSockopts() {
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            var plain = loop.createDatagramEndpoint(MyDatagramProto::new, LOCAL0, null);
            DatagramChannel ch = (DatagramChannel) plain.transport().getExtraInfo("socket");
            assertFalse(ch.config().getOption(ChannelOption.SO_BROADCAST));
            assertFalse(reusePort(ch));
            plain.transport().close();
            plain.protocol().done.await();
            assertEquals("CLOSED", plain.protocol().state);

            var opts = DatagramOptions.builder().reusePort(true).allowBroadcast(true).build();
            var both = loop.createDatagramEndpoint(MyDatagramProto::new, LOCAL0, null, opts);
            ch = (DatagramChannel) both.transport().getExtraInfo("socket");
            assertFalse(ch.config().getOption(ChannelOption.SO_REUSEADDR));
            assertTrue(ch.config().getOption(ChannelOption.SO_BROADCAST));
            assertTrue(reusePort(ch));
            // SO_REUSEPORT lets a second endpoint bind the same port
            var twin = loop.createDatagramEndpoint(MyDatagramProto::new, sockname(both.transport()), null, opts);
            assertEquals(sockname(both.transport()), sockname(twin.transport()));
            both.transport().close();
            twin.transport().close();
            both.protocol().done.await();
            twin.protocol().done.await();
            return null;
        });
    }

    static boolean reusePort(DatagramChannel ch) {
        if (ch instanceof io.netty.channel.epoll.EpollDatagramChannel) {
            return ch.config().getOption(EpollChannelOption.SO_REUSEPORT);
        }
        return ch.config().getOption(NioChannelOption.of(java.net.StandardSocketOptions.SO_REUSEPORT));
    }

    @Test
    @DisplayName("test_create_datagram_endpoint_allow_broadcast")
    void testCreateDatagramEndpointAllowBroadcast() {
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            var server = loop.createDatagramEndpoint(MyDatagramProto::new, LOCAL0, null);
            InetSocketAddress at = sockname(server.transport());
            var opts = DatagramOptions.builder().allowBroadcast(true).build();
            var tp = loop.createDatagramEndpoint(MyDatagramProto::new, null, at, opts);
            // not connected, as Python does not connect with allow_broadcast; sends still go to remote_addr
            assertNull(tp.transport().getExtraInfo("peername"));
            tp.transport().sendto("b".getBytes(US_ASCII));
            StreamsTest.until("the datagram arrived", () -> server.protocol().nbytes == 1);
            tp.transport().close();
            tp.protocol().done.await();
            assertEquals("CLOSED", tp.protocol().state);
            server.transport().close();
            return null;
        });
    }

    @Test
    @DisplayName("test_create_datagram_endpoint_family")
    void familyWithoutAddressBindsTheWildcard() {
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            var tp = loop.createDatagramEndpoint(MyDatagramProto::new, null, null,
                    DatagramOptions.builder().family(StandardProtocolFamily.INET).build());
            InetSocketAddress at = sockname(tp.transport());
            assertTrue(at.getAddress().isAnyLocalAddress(), at.toString());
            assertNotEquals(0, at.getPort());
            tp.transport().close();
            tp.protocol().done.await();
            return null;
        });
        var e = assertThrows(IllegalArgumentException.class,
                () -> DatagramOptions.builder().family(StandardProtocolFamily.UNIX).build());
        assertEquals("family must be INET, INET6 or null (AF_UNSPEC), not UNIX: datagram endpoints on Unix sockets "
                + "are not supported", e.getMessage());
    }

    @Test
    @DisplayName("test_sendto_connected_addr")
    void testSendtoConnectedAddr() {
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            var tp = loop.createDatagramEndpoint(MyDatagramProto::new, null, new InetSocketAddress("127.0.0.1", 1));
            var e = assertThrows(IllegalArgumentException.class,
                    () -> tp.transport().sendto("str".getBytes(US_ASCII), new InetSocketAddress("127.0.0.1", 2)));
            assertEquals("Invalid address: must be None or ('127.0.0.1', 1)", e.getMessage());
            tp.transport().abort();
            tp.protocol().done.await();
            return null;
        });
    }

    @Test
    @DisplayName("test_sendto_closing")
    void testSendtoClosing() {
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            var server = loop.createDatagramEndpoint(MyDatagramProto::new, LOCAL0, null);
            var tp = loop.createDatagramEndpoint(MyDatagramProto::new, null, sockname(server.transport()));
            UdpTransport t = (UdpTransport) tp.transport();
            t.close();
            assertEquals(1, t.connLost());
            t.sendto("data".getBytes(US_ASCII));
            assertEquals(2, t.connLost());
            assertEquals(0, t.getWriteBufferSize());
            tp.protocol().done.await();
            server.transport().close();
            return null;
        });
    }

    /**
     * Differs from Python: Netty's datagram channels do not send a datagram of no bytes (Python
     * sends one), so sendto(b"") is accepted and sends nothing; the next datagram arrives first.
     */
    @Test
    @DisplayName("test_sendto_no_data")
    void testSendtoNoData() {
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            var server = loop.createDatagramEndpoint(MyDatagramProto::new, LOCAL0, null);
            var tp = loop.createDatagramEndpoint(MyDatagramProto::new, LOCAL0, null);
            tp.transport().sendto(new byte[0], sockname(server.transport()));
            tp.transport().sendto("z".getBytes(US_ASCII), sockname(server.transport()));
            StreamsTest.until("the datagram arrived", () -> server.protocol().events.size() == 2);
            assertEquals(List.of("made", "data:z"), server.protocol().events);
            assertEquals(0, tp.transport().getWriteBufferSize());
            tp.transport().close();
            server.transport().close();
            return null;
        });
    }

    @Test
    @DisplayName("test_datagram_send_to_non_listening_address")
    void testDatagramSendToNonListeningAddress() {
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            var one = loop.createDatagramEndpoint(MyDatagramProto::new, LOCAL0, null);
            var two = loop.createDatagramEndpoint(MyDatagramProto::new, LOCAL0, null);
            var three = loop.createDatagramEndpoint(MyDatagramProto::new, LOCAL0, null);
            InetSocketAddress addr3 = sockname(three.transport());
            three.transport().abort();
            three.protocol().done.await();
            one.transport().sendto("x".getBytes(US_ASCII), addr3);      // nobody listens there any more
            one.transport().sendto("a".getBytes(US_ASCII), sockname(two.transport()));
            StreamsTest.until("b got a", () -> two.protocol().nbytes == 1);
            two.transport().sendto("b".getBytes(US_ASCII), sockname(one.transport()));
            StreamsTest.until("a got b", () -> one.protocol().nbytes == 1);
            assertEquals(List.of("made", "data:a"), two.protocol().events);
            assertEquals(List.of("made", "data:b"), one.protocol().events);
            one.transport().close();
            two.transport().close();
            return null;
        });
    }

    /** ICMP port unreachable on a connected endpoint: errorReceived(ConnectionRefusedError), and the endpoint stays open. */
    @Test
    @DisplayName("test_sendto_error_received_connected")
    void testSendtoErrorReceivedConnected() throws Exception {
        InetSocketAddress dead = deadPort();
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            var tp = loop.createDatagramEndpoint(MyDatagramProto::new, null, dead);
            MyDatagramProto p = tp.protocol();
            for (int i = 0; i < 200 && p.errors.isEmpty(); i++) {
                tp.transport().sendto("ping".getBytes(US_ASCII));
                StreamsTest.until("the send left", () -> tp.transport().getWriteBufferSize() == 0);
                Asyncio.sleep(java.time.Duration.ofMillis(5));
            }
            assertFalse(p.errors.isEmpty(), "no errorReceived after 200 sends to a closed port");
            Exception e = p.errors.get(0);
            assertEquals(ConnectionRefusedError.class, e.getClass());
            assertEquals("[Errno 111] Connection refused", e.getMessage());
            assertFalse(tp.transport().isClosing());
            assertEquals("made", p.events.get(0));
            assertEquals("error", p.events.get(1));
            tp.transport().close();
            p.done.await();
            return null;
        });
    }

    /** Sends of a task step are buffered until the baton goes home: pauseWriting above 64 KiB, resumeWriting once sent. */
    @Test
    @DisplayName("test_sendto_buffer")
    void testSendtoBuffer() {
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            var server = loop.createDatagramEndpoint(MyDatagramProto::new, LOCAL0, null);
            var tp = loop.createDatagramEndpoint(MyDatagramProto::new, LOCAL0, null);
            InetSocketAddress to = sockname(server.transport());
            byte[] kb = new byte[1000];
            for (int i = 1; i <= 66; i++) {
                tp.transport().sendto(kb, to);
                assertEquals(i * 1008, tp.transport().getWriteBufferSize());
                assertEquals(i < 66 ? List.of("made") : List.of("made", "pause"), tp.protocol().events);
            }
            StreamsTest.until("the buffer drained", () -> tp.transport().getWriteBufferSize() == 0);
            assertEquals(List.of("made", "pause", "resume"), tp.protocol().events);
            tp.transport().close();
            server.transport().close();
            tp.protocol().done.await();
            return null;
        });
    }

    /** An exception of datagramReceived goes to the exception handler and the endpoint keeps receiving, as in Python. */
    @Test
    @DisplayName("test_read_ready_err")
    void datagramReceivedThatThrowsIsReported() {
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            List<Map<String, Object>> errors = errorsOf(loop);
            List<String> got = new ArrayList<>();
            var server = loop.createDatagramEndpoint(() -> new DatagramProtocol() {
                public void datagramReceived(byte[] data, SocketAddress addr) {
                    String s = new String(data, US_ASCII);
                    got.add(s);
                    if (s.equals("boom")) {
                        throw new IllegalStateException("boom");
                    }
                }
            }, LOCAL0, null);
            var tp = loop.createDatagramEndpoint(MyDatagramProto::new, null, sockname(server.transport()));
            tp.transport().sendto("boom".getBytes(US_ASCII));
            StreamsTest.until("boom arrived", () -> errors.size() == 1);
            assertEquals("Exception in callback DatagramProtocol.datagramReceived()", errors.get(0).get("message"));
            assertEquals("boom", ((Exception) errors.get(0).get("exception")).getMessage());
            assertSame(server.transport(), errors.get(0).get("transport"));
            tp.transport().sendto("next".getBytes(US_ASCII));
            StreamsTest.until("next arrived", () -> got.size() == 2);
            assertEquals(List.of("boom", "next"), got);
            assertFalse(server.transport().isClosing());
            tp.transport().close();
            server.transport().close();
            return null;
        });
    }

    @Test
    @DisplayName("test_transport_abort")
    void abortDropsTheBufferAndReportsNull() {
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            var tp = loop.createDatagramEndpoint(MyDatagramProto::new, LOCAL0, null);
            tp.transport().sendto(new byte[10], new InetSocketAddress("127.0.0.1", 9));
            assertEquals(18, tp.transport().getWriteBufferSize());
            tp.transport().abort();
            tp.protocol().done.await();
            assertEquals(List.of("made", "lost:null"), tp.protocol().events);
            return null;
        });
    }
}
