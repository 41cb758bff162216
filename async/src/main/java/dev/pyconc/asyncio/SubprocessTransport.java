package dev.pyconc.asyncio;

/**
 * The transport of a child process run with a {@link SubprocessProtocol}: Python's
 * {@code asyncio.SubprocessTransport}.
 *
 * <pre> {@code
 * var tp = loop.subprocessExec(Collect::new, List.of("ls", "-l"));
 * SubprocessTransport t = tp.transport();
 * WriteTransport stdin = (WriteTransport) t.getPipeTransport(0);
 * }</pre>
 *
 * <p>Memory consistency effects: as {@link BaseTransport}.
 */
public interface SubprocessTransport extends BaseTransport {
    /** The child's process id: Python's {@code get_pid()}. */
    long getPid();

    /** The child's exit status, or {@code null} while it runs: Python's {@code get_returncode()}; {@code -n} if signal n killed it. */
    Integer getReturncode();

    /** The transport of the child's pipe {@code fd} (0, 1 or 2), or {@code null} if it is not a pipe. */
    BaseTransport getPipeTransport(int fd);

    /** Sends signal {@code signal} to the child: Python's {@code send_signal}. */
    void sendSignal(int signal);

    /** Asks the child to end (SIGTERM): Python's {@code terminate()}. */
    void terminate();

    /** Kills the child (SIGKILL): Python's {@code kill()}. */
    void kill();
}
