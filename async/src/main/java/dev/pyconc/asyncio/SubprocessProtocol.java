package dev.pyconc.asyncio;

/**
 * The protocol of a child process run by {@code loop.subprocessExec} or
 * {@code loop.subprocessShell}: Python's {@code asyncio.SubprocessProtocol}.
 *
 * <pre> {@code
 * class Collect implements SubprocessProtocol {
 *     final ByteArrayOutputStream out = new ByteArrayOutputStream();
 *     public void pipeDataReceived(int fd, byte[] data) { if (fd == 1) out.writeBytes(data); }
 *     public void processExited() { System.out.println("exited"); }
 * }
 * }</pre>
 *
 * <p>File descriptors are Python's: 0 stdin, 1 stdout, 2 stderr.
 *
 * <p>Memory consistency effects: as {@link BaseProtocol}.
 */
public interface SubprocessProtocol extends BaseProtocol {
    /** The process started: Python's {@code connection_made(transport)}. */
    default void connectionMade(SubprocessTransport transport) {
    }

    /** The child wrote {@code data} to its stdout (1) or stderr (2): Python's {@code pipe_data_received}. */
    default void pipeDataReceived(int fd, byte[] data) {
    }

    /** One of the child's pipes closed: Python's {@code pipe_connection_lost(fd, exc)}. */
    default void pipeConnectionLost(int fd, Exception exc) {
    }

    /** The child exited: Python's {@code process_exited()}. */
    default void processExited() {
    }
}
