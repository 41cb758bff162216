package dev.pyconc.asyncio;

/**
 * What every transport has: Python's {@code asyncio.BaseTransport}. A transport is the loop's side
 * of a connection, a pipe, a datagram endpoint or a child process; the loop makes it and hands it
 * to the protocol's {@code connectionMade}.
 *
 * <pre> {@code
 * Object peer = transport.getExtraInfo("peername");
 * transport.close();          // the protocol's connectionLost(null) follows
 * }</pre>
 *
 * <p>Transports are not thread-safe, as in Python: call them from the callbacks and task bodies of
 * their loop.
 *
 * <p>Memory consistency effects: actions prior to a call on the transport <i>happen-before</i> the
 * protocol callbacks it causes.
 */
public interface BaseTransport extends AutoCloseable {
    /**
     * Information about the transport, or {@code null} when it has none by that name: Python's
     * {@code get_extra_info(name)}. The names are Python's ({@code "peername"},
     * {@code "sockname"}, {@code "socket"}, {@code "sslcontext"}, {@code "pipe"}, ...); each
     * transport's javadoc lists the ones it knows and the Java types of their values.
     */
    Object getExtraInfo(String name);

    /** As {@link #getExtraInfo(String)}, with {@code defaultValue} where it has none. */
    default Object getExtraInfo(String name, Object defaultValue) {
        Object v = getExtraInfo(name);
        return v == null ? defaultValue : v;
    }

    /** Whether the transport is closing or closed: Python's {@code is_closing()}. */
    boolean isClosing();

    /**
     * Closes the transport: Python's {@code close()}. Buffered data is still sent; then the
     * protocol's {@code connectionLost(null)} is called. Idempotent.
     */
    @Override
    void close();

    /** Makes {@code protocol} the one this transport calls from now on: Python's {@code set_protocol}. */
    void setProtocol(BaseProtocol protocol);

    /** The protocol this transport calls: Python's {@code get_protocol()}. */
    BaseProtocol getProtocol();
}
