package dev.pyconc.asyncio;

import java.util.ArrayList;
import java.util.List;
import dev.pyconc.builtins.BrokenPipeError;
import dev.pyconc.builtins.ConnectionResetError;
import dev.pyconc.builtins.ProcessLookupError;

/**
 * A child process started by {@link Asyncio#createSubprocessExec},
 * {@link Asyncio#createSubprocessShell} or {@link Subprocess.Builder#start()}: Python's
 * {@code asyncio.subprocess.Process}. Its piped streams are the same {@link StreamWriter} and
 * {@link StreamReader} classes sockets use; waiting for it suspends the task, not the loop.
 *
 * <pre> {@code
 * import dev.pyconc.asyncio.Process;       // by name: java.lang.Process is imported implicitly
 *
 * Process p = Subprocess.exec("grep", "-c", "x").stdin(PIPE).stdout(PIPE).start();
 * Process.Output out = p.communicate("x\ny\nx\n".getBytes());
 * int code = p.returncode();                // 0; out.stdout() is "2\n"
 *
 * Process sleeper = Asyncio.createSubprocessExec("sleep", "60");
 * sleeper.terminate();
 * int rc = sleeper.await();                 // -15, Python's -SIGTERM
 * }</pre>
 *
 * <p><b>Return code.</b> {@link #returncode()} is null until the loop has seen the child exit,
 * then its exit status, or minus the signal that ended it, whoever sent it, as in Python: on
 * Linux pyconc starts ({@code posix_spawnp}) and reaps ({@code waitid}) its children itself
 * through the FFM API (native access for this module, as below). Where it cannot (another OS,
 * native access denied, {@code -Dpyconc.asyncio.spawn=jdk}) the JDK's {@link ProcessBuilder}
 * starts them, whose reaper reports a death by signal {@code n} as {@code 128 + n}; pyconc then
 * reports {@code -n} only when it sent that signal itself ({@link #sendSignal},
 * {@link #terminate()}, {@link #kill()}). A program that cannot be run raises
 * {@link dev.pyconc.builtins.OSError} naming the errno ({@code Cannot run program "x": error=2,
 * No such file or directory}: Python's FileNotFoundError).
 *
 * <p><b>Signals.</b> {@code terminate()} sends SIGTERM and {@code kill()} SIGKILL (through
 * {@link java.lang.Process#destroy()} / {@code destroyForcibly()}); other signals, and every
 * signal to a child pyconc spawned itself, are sent with {@code kill(2)} through the FFM API, which needs native access for this module
 * ({@code --enable-native-access=dev.pyconc.async}, or {@code ALL-UNNAMED} on the class path);
 * without it the JDK warns once, and where native access is denied {@code /bin/kill} is run
 * instead. Signalling a child that has exited raises {@link ProcessLookupError}.
 *
 * <p><b>Pipes.</b> Each piped stream is pumped by a virtual thread of its own (blocking reads or
 * writes of the pipe, handed to the loop with {@code callSoonThreadsafe}), with the flow control
 * of sockets: the stdout and stderr readers stop reading the pipe above twice their limit, so a
 * child that writes more than the parent reads blocks; {@code stdin().drain()} waits while more
 * than 64 KiB are queued. Closing the loop kills the children still running and ends the pumps.
 * Processes are not thread-safe, as in Python: use them from the task bodies and callbacks of
 * their loop.
 *
 * <p>Memory consistency effects: the child's exit <i>happens-before</i> the return of
 * {@link #await()} and the loop's setting of {@link #returncode()}.
 */
public final class Process {
    /** SIGHUP on Linux. */
    public static final int SIGHUP = 1;
    /** SIGINT on Linux. */
    public static final int SIGINT = 2;
    /** SIGKILL. */
    public static final int SIGKILL = 9;
    /** SIGUSR1 on Linux. */
    public static final int SIGUSR1 = 10;
    /** SIGUSR2 on Linux. */
    public static final int SIGUSR2 = 12;
    /** SIGTERM. */
    public static final int SIGTERM = 15;

    /**
     * What {@link #communicate} read: the child's stdout and stderr (Python's
     * {@code (stdout_data, stderr_data)} tuple); each is null when that stream was not a pipe.
     *
     * @param stdout everything the child wrote to its stdout pipe, or null
     * @param stderr everything it wrote to its stderr pipe, or null
     */
    public record Output(byte[] stdout, byte[] stderr) {
    }

    private final EventLoop loop;
    private final ProcessTransport transport;
    private final PipeTransport[] views = new PipeTransport[3];   // the stream views of the piped fds
    private final StreamWriter stdin;
    private final StreamReader stdout;
    private final StreamReader stderr;

    /*
     * Overview. A Process is Python's SubprocessStreamProtocol and Process in one: the protocol of
     * a ProcessTransport, which starts the child, pumps its pipes and watches its exit (one path
     * for both APIs). Each piped fd gets a PipeTransport, the stream view a StreamWriter or
     * StreamReader works through; the protocol callbacks below pass the pipes' data, flow control
     * and loss on to those views.
     */

    private Process(EventLoop loop, Subprocess.Builder b) {
        this.loop = loop;
        this.transport = ProcessTransport.start(loop, new StreamProtocol(), b);
        stdin = transport.getPipeTransport(0) == null ? null : new StreamWriter(view(0, null), null);
        stdout = transport.getPipeTransport(1) == null ? null : reader(1, b.limit);
        stderr = transport.getPipeTransport(2) == null ? null : reader(2, b.limit);
    }

    private StreamReader reader(int fd, int limit) {
        StreamReader r = new StreamReader(loop, limit);
        view(fd, r);
        return r;
    }

    private PipeTransport view(int fd, StreamReader reader) {
        PipeTransport v = reader == null ? PipeTransport.writing(loop) : PipeTransport.reading(loop, reader);
        v.attach((BasePipeTransport) transport.getPipeTransport(fd), transport.getPid());
        views[fd] = v;
        return v;
    }

    /** The protocol of the transport: feeds the stream views (Python's SubprocessStreamProtocol). */
    private final class StreamProtocol implements SubprocessProtocol {
        @Override
        public void pipeDataReceived(int fd, byte[] data) {
            views[fd].fed(data);
        }

        @Override
        public void pipeConnectionLost(int fd, Exception exc) {
            views[fd].connectionLost(exc);
        }

        @Override
        public void pauseWriting() {
            views[0].pausedWriting();
        }

        @Override
        public void resumeWriting() {
            views[0].resumedWriting();
        }
    }

    static Process start(Subprocess.Builder b) {
        return new Process(Asyncio.getRunningLoop(), b);
    }

    /** The child's process id (Python's {@code pid}). */
    public long pid() {
        return transport.getPid();
    }

    /**
     * The exit status, minus the signal that ended the child, or null while it runs (or before the
     * loop has seen its exit), as Python's {@code returncode}.
     */
    public Integer returncode() {
        return transport.getReturncode();
    }

    /** The writer of the child's stdin pipe, or null when stdin is not {@link Subprocess#PIPE}. */
    public StreamWriter stdin() {
        return stdin;
    }

    /** The reader of the child's stdout pipe, or null when stdout is not {@link Subprocess#PIPE}. */
    public StreamReader stdout() {
        return stdout;
    }

    /** The reader of the child's stderr pipe, or null when stderr is not {@link Subprocess#PIPE}. */
    public StreamReader stderr() {
        return stderr;
    }

    /**
     * Waits until the child exits and returns {@link #returncode()} (Python's {@code wait()},
     * named {@code await} as pyconc's rule for Python's {@code wait} says). Suspends the task, not
     * the loop. As in Python, a child that writes more to a pipe than the parent reads can block
     * forever: read the pipes, or use {@link #communicate}.
     */
    public int await() {
        return transport.await();
    }

    /** {@code communicate(null)}. */
    public Output communicate() {
        return communicate(null);
    }

    /**
     * Writes {@code input} (if not null) to stdin and closes it, reads stdout and stderr to the
     * end at the same time, waits for the child to exit and returns what was read (Python's
     * {@code communicate(input)}). A child that exits without reading all of its input is not an
     * error ({@link BrokenPipeError} and {@link ConnectionResetError} of stdin are ignored, as in
     * Python). Bound it with {@link Asyncio#waitFor} or {@link Asyncio#timeout}.
     */
    public Output communicate(byte[] input) {
        List<Future<?>> parts = new ArrayList<>(3);
        if (stdin != null) {
            parts.add(loop.createTask(() -> {
                try {
                    if (input != null) {
                        stdin.write(input);
                        stdin.drain();
                    }
                } catch (BrokenPipeError | ConnectionResetError childGone) {
                    // the child did not read it all: not an error
                }
                stdin.close();
                return null;
            }, null));
        }
        Task<byte[]> out = stdout == null ? null : loop.createTask(() -> stdout.read(-1), null);
        Task<byte[]> err = stderr == null ? null : loop.createTask(() -> stderr.read(-1), null);
        if (out != null) {
            parts.add(out);
        }
        if (err != null) {
            parts.add(err);
        }
        if (!parts.isEmpty()) {
            Future<List<Object>> all = Asyncio.gather(false, parts);
            all.await();
        }
        await();
        return new Output(out == null ? null : out.result(), err == null ? null : err.result());
    }

    /**
     * Sends signal {@code sig} to the child (Python's {@code send_signal}).
     *
     * @throws ProcessLookupError if the child has exited
     * @throws IllegalArgumentException if {@code sig} is not in 1..64
     */
    public void sendSignal(int sig) {
        transport.sendSignal(sig);
    }

    /**
     * Sends SIGTERM (Python's {@code terminate()}).
     *
     * @throws ProcessLookupError if the child has exited
     */
    public void terminate() {
        sendSignal(SIGTERM);
    }

    /**
     * Sends SIGKILL (Python's {@code kill()}).
     *
     * @throws ProcessLookupError if the child has exited
     */
    public void kill() {
        sendSignal(SIGKILL);
    }

    @Override
    public String toString() {
        Integer rc = transport.getReturncode();
        return "<Process " + transport.getPid() + (rc == null ? ">" : " returncode=" + rc + ">");
    }
}
