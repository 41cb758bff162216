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
 * <p>Extra info ({@link #getExtraInfo}): {@code "sockname"}, the local
 * {@link java.net.InetSocketAddress}; {@code "peername"}, the remote one of a connected endpoint
 * (null otherwise, as with {@code allow_broadcast}); {@code "socket"}, the Netty
 * {@code io.netty.channel.socket.DatagramChannel} (its {@code config()} reads and sets options).
 *
 * <p>A send never blocks: the datagram is sent at once from a protocol callback, or when the task
 * body that sent it suspends. {@link #getWriteBufferSize()} counts the datagrams not yet sent, each
 * with Python's 8 bytes of header; above 64 KiB the protocol's {@code pauseWriting} is called, and
 * {@code resumeWriting} once it is back to 16 KiB. A send after {@link #close()} is dropped (a
 * warning is logged from the fifth on, as Python does). A datagram of no bytes is not sent.
 *
 * <p>Memory consistency effects: as {@link BaseTransport}; the bytes of a send are copied before
 * it returns.
 */
public interface DatagramTransport extends BaseTransport {
    /**
     * Sends {@code data} to the endpoint's remote address: Python's {@code sendto(data)}.
     *
     * @throws IllegalArgumentException if the endpoint was made without a remote address
     */
    void sendto(byte[] data);

    /**
     * Sends {@code data} to {@code addr}: Python's {@code sendto(data, addr)}. {@code addr} must be
     * a resolved {@link java.net.InetSocketAddress}; it may be null, or equal to the remote
     * address, on an endpoint made with one.
     *
     * @throws IllegalArgumentException Python's ValueError "Invalid address: must be None or
     *         ('127.0.0.1', 9999)" for another address on an endpoint with a remote address
     */
    void sendto(byte[] data, SocketAddress addr);

    /** Closes at once, dropping what is buffered: Python's {@code abort()}. */
    void abort();

    /** The number of bytes buffered, not yet sent: Python's {@code get_write_buffer_size()}. */
    int getWriteBufferSize();
}
