package dev.pyconc.asyncio;

import java.net.SocketAddress;

/**
 * A datagram (UDP) protocol: Python's {@code asyncio.DatagramProtocol}, given to
 * {@code loop.createDatagramEndpoint}.
 *
 * <pre> {@code
 * class EchoUdp implements DatagramProtocol {
 *     private DatagramTransport transport;
 *     public void connectionMade(DatagramTransport t) { transport = t; }
 *     public void datagramReceived(byte[] data, SocketAddress addr) { transport.sendto(data, addr); }
 * }
 * }</pre>
 *
 * <p>Memory consistency effects: as {@link BaseProtocol}.
 */
public interface DatagramProtocol extends BaseProtocol {
    /** The endpoint is ready: Python's {@code connection_made(transport)}. */
    default void connectionMade(DatagramTransport transport) {
    }

    /** A datagram arrived from {@code addr}: Python's {@code datagram_received(data, addr)}. */
    default void datagramReceived(byte[] data, SocketAddress addr) {
    }

    /**
     * A send or receive failed (for example an ICMP port unreachable reported as
     * {@link dev.pyconc.builtins.ConnectionRefusedError}): Python's {@code error_received(exc)}.
     */
    default void errorReceived(Exception exc) {
    }
}
