package dev.pyconc.asyncio;

/**
 * A streaming protocol (TCP, Unix socket, pipe): Python's {@code asyncio.Protocol}. Given to
 * {@code loop.createConnection} and {@code loop.createServer} through a factory that
 * makes one protocol per connection.
 *
 * <pre> {@code
 * class Echo implements Protocol {
 *     private Transport transport;
 *     public void connectionMade(Transport t) { transport = t; }
 *     public void dataReceived(byte[] data) { transport.write(data); }
 * }
 * Server server = loop.createServer(Echo::new, "127.0.0.1", 8888);
 * }</pre>
 *
 * <p>The callbacks follow Python's state machine: {@code connectionMade}, then
 * {@code dataReceived}* , then at most one {@code eofReceived}, then {@code connectionLost}.
 *
 * <p>Memory consistency effects: as {@link BaseProtocol}.
 */
public interface Protocol extends BaseProtocol {
    /** The connection is made: Python's {@code connection_made(transport)}. */
    default void connectionMade(Transport transport) {
    }

    /** Bytes arrived: Python's {@code data_received(data)}. The array is the protocol's to keep. */
    default void dataReceived(byte[] data) {
    }

    /**
     * The other end will send no more (it wrote EOF): Python's {@code eof_received()}. Return
     * {@code true} to keep the connection open for writing (half-closed); {@code false}, the
     * default, closes the transport.
     */
    default boolean eofReceived() {
        return false;
    }
}
