package dev.pyconc.asyncio;

/**
 * The reader and writer of one connection: the {@code (reader, writer)} tuple that Python's
 * {@code asyncio.open_connection} returns.
 *
 * <pre> {@code
 * var s = Asyncio.openConnection("127.0.0.1", 8888);
 * s.writer().write(request);
 * byte[] reply = s.reader().readline();
 * // or, with a record pattern:
 * if (Asyncio.openConnection(host, port) instanceof Streams(var reader, var writer)) { ... }
 * }</pre>
 *
 * <p>Memory consistency effects: none beyond those of the reader and writer.
 *
 * @param reader what the connection receives
 * @param writer what it sends
 */
public record Streams(StreamReader reader, StreamWriter writer) {
}
