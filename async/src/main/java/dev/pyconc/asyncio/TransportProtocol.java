package dev.pyconc.asyncio;

/**
 * A transport and the protocol it calls: the {@code (transport, protocol)} tuple that Python's
 * {@code loop.create_connection}, {@code create_datagram_endpoint}, {@code connect_read_pipe},
 * {@code subprocess_exec} and their kin return.
 *
 * <pre> {@code
 * var tp = loop.createConnection(Client::new, "127.0.0.1", 8888);
 * tp.transport().write(request);
 * // or, with a record pattern:
 * if (loop.createConnection(Client::new, host, port) instanceof TransportProtocol(var t, var p)) { ... }
 * }</pre>
 *
 * <p>Memory consistency effects: none beyond those of the transport and protocol.
 *
 * @param transport the loop's side
 * @param protocol  the application's side, made by the factory given
 * @param <T> the transport's type
 * @param <P> the protocol's type
 */
public record TransportProtocol<T extends BaseTransport, P extends BaseProtocol>(T transport, P protocol) {
}
