package dev.pyconc.asyncio;

/**
 * A bidirectional streaming transport (a TCP or Unix socket connection): Python's
 * {@code asyncio.Transport}. Made by {@code loop.createConnection} and
 * {@code loop.createServer} and handed to {@link Protocol#connectionMade}.
 *
 * <pre> {@code
 * public void connectionMade(Transport t) {
 *     t.write("hello\n".getBytes(StandardCharsets.US_ASCII));
 * }
 * }</pre>
 *
 * <p>Memory consistency effects: as {@link BaseTransport}.
 */
public interface Transport extends ReadTransport, WriteTransport {
}
