package dev.pyconc.asyncio;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetSocketAddress;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * test_protocols.py: every callback of the base protocols does nothing by default (Python's
 * methods return None; {@code eof_received()}'s None is {@code false} here, which closes the
 * transport as None does); {@code get_buffer} has no default in Java, as it has no useful one.
 */
class ProtocolsTest {

    @Test
    @DisplayName("test_base_protocol")
    void baseProtocol() {
        BaseProtocol p = new BaseProtocol() {};
        p.connectionLost(null);
        p.connectionLost(new IllegalStateException());
        p.pauseWriting();
        p.resumeWriting();
    }

    @Test
    @DisplayName("test_protocol")
    void protocol() {
        Protocol p = new Protocol() {};
        p.connectionMade(null);
        p.connectionLost(null);
        p.dataReceived(new byte[1]);
        assertFalse(p.eofReceived());
        p.pauseWriting();
        p.resumeWriting();
    }

    @Test
    @DisplayName("test_buffered_protocol")
    void bufferedProtocol() {
        BufferedProtocol p = new BufferedProtocol() {
            @Override
            public java.nio.ByteBuffer getBuffer(int sizeHint) {
                return null;
            }

            @Override
            public void bufferUpdated(int nbytes) {
            }
        };
        p.connectionMade(null);
        p.connectionLost(null);
        assertFalse(p.eofReceived());
        p.pauseWriting();
        p.resumeWriting();
    }

    @Test
    @DisplayName("test_datagram_protocol")
    void datagramProtocol() {
        DatagramProtocol dp = new DatagramProtocol() {};
        dp.connectionMade(null);
        dp.connectionLost(null);
        dp.errorReceived(new IllegalStateException());
        dp.datagramReceived(new byte[1], new InetSocketAddress(0));
    }

    @Test
    @DisplayName("test_subprocess_protocol")
    void subprocessProtocol() {
        SubprocessProtocol sp = new SubprocessProtocol() {};
        sp.connectionMade(null);
        sp.connectionLost(null);
        sp.pipeDataReceived(1, new byte[1]);
        sp.pipeConnectionLost(1, null);
        sp.processExited();
    }

    /** A stream transport takes no other kind of protocol. */
    @Test
    void streamTransportRefusesOtherProtocols() {
        assertThrows(IllegalArgumentException.class, () -> Connections.newProtocol(() -> new DatagramProtocol() {}));
        assertThrows(IllegalArgumentException.class, () -> Connections.newProtocol(() -> null));
    }
}
