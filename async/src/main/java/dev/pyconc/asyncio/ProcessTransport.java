package dev.pyconc.asyncio;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import dev.pyconc.builtins.OSError;
import dev.pyconc.builtins.ProcessLookupError;

/**
 * A child process run with a {@link SubprocessProtocol}: Python's
 * {@code BaseSubprocessTransport}, made by {@link EventLoop#subprocessExec},
 * {@link EventLoop#subprocessShell} and {@link Subprocess.Builder#start(java.util.function.Supplier)};
 * {@link Process} (the streams API) is a protocol over it. The child's piped streams are
 * {@link WritePipeTransport} (0) and {@link ReadPipeTransport} (1, 2), whose protocols pass their
 * events on as {@code pipeDataReceived(fd, data)} and {@code pipeConnectionLost(fd, exc)}.
 *
 * <p>Extra info: {@code "subprocess"}, the {@link java.lang.Process}.
 */
final class ProcessTransport implements SubprocessTransport, LoopThread.Resource {
    private final EventLoop loop;
    private final java.lang.Process process;
    private final BasePipeTransport[] pipes = new BasePipeTransport[3];   // null where the stream is no pipe
    private final boolean[] pipeLost = new boolean[3];
    private SubprocessProtocol protocol;
    private List<Runnable> pending = new ArrayList<>();  // protocol calls held until connectionMade; then null
    private Integer returncode;                          // set on the loop once the exit is seen
    private List<Future<Integer>> exitWaiters;
    private boolean finished;                            // connectionLost is scheduled
    private boolean closed;
    private volatile int signalSent;                     // the last signal sent, to tell -n from 128 + n (JDK fallback)

    /*
     * Overview. Everything but the exit watch and signalSent is guarded by the loop's baton. The
     * order of the protocol's calls is Python's: connectionMade first (the pipe transports'
     * events that come before it are held in `pending`, as Python's _pending_calls), then
     * pipeDataReceived and pipeConnectionLost for each pipe and processExited in the order they
     * happen, then connectionLost(null) once the child has exited and every pipe is lost
     * (_try_finish). The child is a java.lang.Process, whose exit (onExit) is posted to the loop.
     *
     * Starting and return code: on Linux the child is a SpawnedProcess, which pyconc spawns
     * (posix_spawnp) and reaps (waitid, waitpid) itself through the FFM API; its exit value is
     * Python's returncode already: the status, or -n for a death by signal n whoever sent it.
     * Where that is not available (another OS, native access denied, -Dpyconc.asyncio.spawn=jdk)
     * the JDK's ProcessBuilder starts it; the JDK's reaper reports a death by signal n as 128 + n,
     * and any wait of ours would race it for the status, so then a child killed by a signal that
     * pyconc sent (signalSent) reports -n and otherwise 128 + n, and a new session goes through
     * setsid(1).
     */

    private ProcessTransport(EventLoop loop, SubprocessProtocol protocol, java.lang.Process process) {
        this.loop = loop;
        this.protocol = protocol;
        this.process = process;
    }

    /** Starts the child of {@code b} with {@code protocol}; the caller holds the baton of {@code loop}. */
    static ProcessTransport start(EventLoop loop, SubprocessProtocol protocol, Subprocess.Builder b) {
        ProcessBuilder.Redirect in = b.stdinTo != null ? b.stdinTo : switch (b.stdin) {
            case PIPE -> ProcessBuilder.Redirect.PIPE;
            case DEVNULL -> ProcessBuilder.Redirect.from(new File("/dev/null"));
            default -> ProcessBuilder.Redirect.INHERIT;
        };
        ProcessBuilder.Redirect out = b.stdoutTo != null ? b.stdoutTo : switch (b.stdout) {
            case PIPE -> ProcessBuilder.Redirect.PIPE;
            case DEVNULL -> ProcessBuilder.Redirect.DISCARD;
            default -> ProcessBuilder.Redirect.INHERIT;
        };
        boolean errToOut = b.stderrTo == null && b.stderr == Subprocess.STDOUT;
        ProcessBuilder.Redirect err = b.stderrTo != null ? b.stderrTo : switch (b.stderr) {
            case PIPE -> ProcessBuilder.Redirect.PIPE;
            case DEVNULL -> ProcessBuilder.Redirect.DISCARD;
            default -> ProcessBuilder.Redirect.INHERIT;       // STDOUT: errToOut
        };
        java.lang.Process p = SpawnedProcess.use()
                ? SpawnedProcess.start(b.args, b.env, b.cwd, new ProcessBuilder.Redirect[] {in, out, err}, errToOut, b.startNewSession)
                : startWithJdk(b, in, out, err, errToOut);
        ProcessTransport t = new ProcessTransport(loop, protocol, p);
        long pid = p.pid();
        if (in == ProcessBuilder.Redirect.PIPE) {
            t.pipes[0] = WritePipeTransport.start(loop, t.pipeProtocol(0), p.getOutputStream(), p.getOutputStream(), p.getOutputStream(), "stdin of " + pid);
        } else {
            closeQuietly(p.getOutputStream());
        }
        if (out == ProcessBuilder.Redirect.PIPE) {
            t.pipes[1] = ReadPipeTransport.start(loop, t.pipeProtocol(1), p.getInputStream(), p.getInputStream(), p.getInputStream(), "stdout of " + pid);
        }
        if (err == ProcessBuilder.Redirect.PIPE && !errToOut) {
            t.pipes[2] = ReadPipeTransport.start(loop, t.pipeProtocol(2), p.getErrorStream(), p.getErrorStream(), p.getErrorStream(), "stderr of " + pid);
        }
        loop.loopThread.own(t);
        loop.callSoon(t::connected);
        p.onExit().whenComplete((done, e) -> {
            int code = p.exitValue();
            try {
                loop.callSoonThreadsafe(() -> t.exited(code));
            } catch (IllegalStateException closedLoop) {
                // the loop is closed: nobody waits
            }
        });
        return t;
    }

    /**
     * The fallback where {@link SpawnedProcess} is not available: the JDK's {@link ProcessBuilder},
     * whose reaper reports a death by signal n as 128 + n.
     */
    private static java.lang.Process startWithJdk(Subprocess.Builder b, ProcessBuilder.Redirect in,
            ProcessBuilder.Redirect out, ProcessBuilder.Redirect err, boolean errToOut) {
        ProcessBuilder pb = new ProcessBuilder(b.startNewSession ? withSetsid(b.args) : b.args);
        if (b.cwd != null) {
            pb.directory(b.cwd);
        }
        if (b.env != null) {
            pb.environment().clear();
            pb.environment().putAll(b.env);
        }
        pb.redirectInput(in).redirectOutput(out);
        if (errToOut) {
            pb.redirectErrorStream(true);
        } else {
            pb.redirectError(err);
        }
        try {
            return pb.start();
        } catch (IOException e) {
            throw new OSError(e.getMessage(), e);
        }
    }

    /**
     * {@code setsid args...}: util-linux's setsid(1) calls setsid(2) and then execs the program in
     * the same process (it forks only when it leads a process group, which a child the JVM starts
     * does not), so the pid is the program's.
     */
    private static List<String> withSetsid(List<String> args) {
        List<String> l = new ArrayList<>(args.size() + 1);
        l.add("setsid");
        l.addAll(args);
        return l;
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    /** The protocol of pipe {@code fd}: passes its events on to the subprocess protocol. */
    private Protocol pipeProtocol(int fd) {
        return new Protocol() {
            @Override
            public void dataReceived(byte[] data) {
                call(() -> protocol.pipeDataReceived(fd, data));
            }

            @Override
            public void pauseWriting() {
                protocol.pauseWriting();
            }

            @Override
            public void resumeWriting() {
                protocol.resumeWriting();
            }

            @Override
            public void connectionLost(Exception exc) {
                pipeLost[fd] = true;
                call(() -> protocol.pipeConnectionLost(fd, exc));
                tryFinish();
            }
        };
    }

    /**
     * Python's _call: runs {@code r} now (the caller is a pipe transport's or the exit's callback on
     * the loop), or after connectionMade if that has not run yet. Now, not in a callback of its
     * own, so that a StreamReader over its limit pauses the pipe before the pipe reads again.
     */
    private void call(Runnable r) {
        if (pending != null) {
            pending.add(r);
        } else {
            guarded(r);
        }
    }

    /** Runs a protocol call; an exception goes to the exception handler, as from a callback. */
    private void guarded(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            loop.callExceptionHandler(EventLoop.context("Exception in a callback of " + protocol, e, "transport", this));
        }
    }

    /** Python's _try_connected: connectionMade, then what the pipes delivered before it, in order. */
    private void connected() {
        List<Runnable> held = pending;
        pending = null;
        protocol.connectionMade(this);
        for (Runnable r : held) {
            guarded(r);
        }
    }

    /** On the loop: the child exited with exit value {@code code} (already Python's returncode from a SpawnedProcess). */
    private void exited(int code) {
        if (returncode != null) {
            return;
        }
        int sig = signalSent;
        returncode = process instanceof SpawnedProcess || sig <= 0 || code != 128 + sig ? code : -sig;
        call(protocol::processExited);
        tryFinish();
        List<Future<Integer>> ws = exitWaiters;
        exitWaiters = null;
        if (ws != null) {
            for (Future<Integer> w : ws) {
                if (!w.done()) {
                    w.setResultInternal(returncode);
                }
            }
        }
    }

    /** Python's _try_finish: connectionLost(null) once the child has exited and every pipe is lost. */
    private void tryFinish() {
        if (finished || returncode == null) {
            return;
        }
        for (int fd = 0; fd < 3; fd++) {
            if (pipes[fd] != null && !pipeLost[fd]) {
                return;
            }
        }
        finished = true;
        loop.loopThread.disown(this);
        call(() -> protocol.connectionLost(null));
    }

    /** Waits (suspending the task) until the child exits; returns {@link #getReturncode()}. Python's _wait(). */
    int await() {
        Integer rc = returncode;
        if (rc != null) {
            return rc;
        }
        Future<Integer> w = loop.createFuture();
        if (exitWaiters == null) {
            exitWaiters = new ArrayList<>(2);
        }
        exitWaiters.add(w);
        try {
            return w.await();
        } finally {
            List<Future<Integer>> ws = exitWaiters;
            if (ws != null) {
                ws.remove(w);
            }
        }
    }

    @Override
    public long getPid() {
        return process.pid();
    }

    @Override
    public Integer getReturncode() {
        return returncode;
    }

    @Override
    public BaseTransport getPipeTransport(int fd) {
        return fd >= 0 && fd < 3 ? pipes[fd] : null;
    }

    @Override
    public void sendSignal(int sig) {
        if (sig < 1 || sig > 64) {
            throw new IllegalArgumentException("signal must be in 1..64, not " + sig);
        }
        if (process instanceof SpawnedProcess sp) {
            if (returncode != null || !sp.signal(sig)) {
                throw new ProcessLookupError("process " + process.pid() + " has exited");
            }
            return;
        }
        if (returncode != null || !process.isAlive()) {
            throw new ProcessLookupError("process " + process.pid() + " has exited");
        }
        signalSent = sig;
        if (sig == Process.SIGTERM) {
            process.destroy();
        } else if (sig == Process.SIGKILL) {
            process.destroyForcibly();
        } else {
            Signals.kill(process.pid(), sig);
        }
    }

    @Override
    public void terminate() {
        sendSignal(Process.SIGTERM);
    }

    @Override
    public void kill() {
        sendSignal(Process.SIGKILL);
    }

    /** Closes the pipes and kills the child if it still runs (not one that has exited, even unseen), as Python. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (BasePipeTransport p : pipes) {
            if (p != null) {
                p.close();
            }
        }
        if (returncode == null && process.isAlive()) {
            if (loop.getDebug()) {
                EventLoop.LOG.warn("Close running child process: kill {}", this);
            }
            try {
                kill();
            } catch (ProcessLookupError gone) {
                // it exited meanwhile
            }
        }
    }

    @Override
    public boolean isClosing() {
        return closed;
    }

    @Override
    public Object getExtraInfo(String name) {
        return "subprocess".equals(name) ? process : null;
    }

    @Override
    public void setProtocol(BaseProtocol protocol) {
        if (!(protocol instanceof SubprocessProtocol p)) {
            throw new IllegalArgumentException("a subprocess transport needs a SubprocessProtocol, not " + protocol);
        }
        this.protocol = p;
    }

    @Override
    public SubprocessProtocol getProtocol() {
        return protocol;
    }

    @Override
    public void closeForLoop() {
        if (process.isAlive()) {
            signalSent = Process.SIGKILL;
            process.destroyForcibly();
        }
    }

    /** Python's repr: {@code <ProcessTransport pid=N running>}, {@code returncode=N}, {@code closed}, and the pipes. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("<ProcessTransport");
        if (closed) {
            b.append(" closed");
        }
        b.append(" pid=").append(process.pid());
        b.append(returncode == null ? " running" : " returncode=" + returncode);
        String[] names = {"stdin", "stdout", "stderr"};
        for (int fd = 0; fd < 3; fd++) {
            if (pipes[fd] != null) {
                b.append(' ').append(names[fd]).append('=').append(pipes[fd]);
            }
        }
        return b.append('>').toString();
    }
}
