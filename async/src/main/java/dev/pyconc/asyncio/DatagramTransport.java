package dev.pyconc.asyncio;

import java.net.SocketAddress;

/**
 * The transport of a datagram endpoint: Python's {@code asyncio.DatagramTransport}, made by
 * {@code loop.createDatagramEndpoint}.
 *
 * <pre> {@code
 * transport.sendto("ping".getBytes(StandardCharsets.US_ASCII), new InetSocketAddress("127.0.0.1", 9999));
 * }</pre>
 *
 * <p>Memory consistency effects: as {@link BaseTransport}; the bytes of a send are copied before
 * it returns.
 */
public interface DatagramTransport extends BaseTransport {
    /** Sends {@code data} to the connected peer: Python's {@code sendto(data)} of a connected endpoint. */
    void sendto(byte[] data);

    /** Sends {@code data} to {@code addr}: Python's {@code sendto(data, addr)}. */
    void sendto(byte[] data, SocketAddress addr);

    /** Closes at once, dropping what is buffered: Python's {@code abort()}. */
    void abort();

    /** The number of bytes buffered, not yet sent: Python's {@code get_write_buffer_size()}. */
    int getWriteBufferSize();
}
