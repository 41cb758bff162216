package dev.pyconc.asyncio;

/**
 * What a server runs for each connection it accepts: Python's {@code client_connected_cb} of
 * {@code asyncio.start_server}. It runs as a task of its own (one per connection), as Python's
 * coroutine callback does; it may suspend as any task body does.
 *
 * <pre> {@code
 * Server server = Asyncio.startServer((reader, writer) -> {
 *     for (byte[] line : reader) {          // until the client closes
 *         writer.write(line);
 *         writer.drain();
 *     }
 *     writer.close();
 * }, "127.0.0.1", 8888);
 * }</pre>
 *
 * <p>As in Python 3.12, the connection is closed when the callback fails or its task is cancelled
 * (a failure is reported to the loop's exception handler); when it returns, the connection stays
 * open until it is closed.
 *
 * <p>Memory consistency effects: actions prior to the accept of the connection
 * <i>happen-before</i> the callback starts.
 */
@FunctionalInterface
public interface ClientConnectedCallback {
    /** Handles one connection. */
    void accept(StreamReader reader, StreamWriter writer) throws Exception;
}
