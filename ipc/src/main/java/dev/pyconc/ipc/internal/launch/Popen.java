package dev.pyconc.ipc.internal.launch;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pyconc.core.internal.GilRuntime;
import dev.pyconc.core.internal.Interrupts;

/**
 * The parent's handle on one child JVM (Python's {@code Popen} objects of
 * {@code multiprocessing.popen_spawn_posix}): launches it, sends it its {@link LaunchRecord},
 * waits for it, signals it, and turns its exit status into Python's {@code exitcode}.
 */
public final class Popen {

    private static final class Log {
        static final Logger LOG = LoggerFactory.getLogger(Popen.class);
    }

    private static final String MARKER_PREFIX = "pyconc-";
    private static final String MARKER_SUFFIX = ".exit";
    private static final long MY_PID = ProcessHandle.current().pid();
    private static volatile SecureRandom random;
    private static volatile boolean swept;

    private final Object owner;         // the Process object this handle runs
    private final java.lang.Process process;
    private final Path marker;
    private final boolean daemon;
    private volatile Integer exitCode;      // null while running; written once under this

    /*
     * Overview.
     *
     * Exit codes. Python reports a child killed by signal s as exitcode -s. The JDK reports such a
     * child as exit value 128 + s, the same number a child gets with System.exit(128 + s); and a
     * JVM that receives SIGTERM, SIGINT or SIGHUP runs its shutdown hooks and exits normally with
     * 128 + s. To tell these apart, the child's exit hook creates the exit marker file named in its
     * launch record when its shutdown was not started by a signal (nor by the death of its parent):
     *
     *   exit value v <= 128                  -> v          (no signal gives these)
     *   v > 128, marker present              -> v          (System.exit(v), or main returned)
     *   v > 128, marker absent               -> -(v - 128) (killed, or shut down by a signal)
     *
     * A JVM halted with Runtime.halt(v), v > 128, reads as killed by signal v - 128: halt skips
     * the exit hook. The marker is created last in the hook, after the child's own children were
     * joined, so a child killed while it waits for them reads as killed.
     *
     * The marker lives in java.io.tmpdir as pyconc-<parent pid>-<64 random bits>.exit; the child
     * creates it with O_CREAT|O_EXCL (File.createNewFile); the parent deletes it when it first
     * sees the child ended (poll, wait, or its own exit). Only a parent killed between a child's
     * exit and that moment leaves one behind; the next parent to start a child removes markers of
     * parents that are no longer alive.
     *
     * exitCode is written once, under the monitor of this object, and read without it (volatile).
     */

    private Popen(Object owner, java.lang.Process process, Path marker, boolean daemon) {
        this.owner = owner;
        this.process = process;
        this.marker = marker;
        this.daemon = daemon;
    }

    /**
     * Starts a child JVM that runs {@code owner}, the {@code Process} object named {@code name}:
     * takes the spare JVM when the forkserver start method is on and the spare was launched with
     * the same command and environment, or launches a new JVM; then sends it its launch record.
     *
     * @param daemon  whether the process is a daemon, which the exit hook terminates
     * @param payload the serialized Process object
     * @throws UncheckedIOException if no JVM could be launched
     */
    public static Popen launch(Object owner, String name, boolean daemon, byte[] payload, String parentName,
                               List<String> command, Map<String, String> environment, boolean useSpare) {
        ExitHook.install();
        Children.active();      // Python's _cleanup(): forget children that ended
        sweepStaleMarkers();
        Path marker = newMarkerPath();
        LaunchRecord record = new LaunchRecord(MY_PID, parentName, name, marker.toString(), payload);
        java.lang.Process child = null;
        if (useSpare) {
            child = Spares.take(command, environment);
            if (child != null && !send(child, record)) {
                Log.LOG.debug("spare JVM {} went away before it got its process; launching a new JVM", child.pid());
                child.destroyForcibly();
                child = null;
            }
        }
        if (child == null) {
            child = spawn(command, environment);
            send(child, record);    // a JVM that dies before it reads the record reports its own failure
        }
        if (useSpare) {
            Spares.replenish(command, environment, child);
        }
        Popen popen = new Popen(owner, child, marker, daemon);
        Children.add(popen);
        return popen;
    }

    /** Launches a JVM with {@code command} and {@code environment}; its stdout and stderr are this JVM's. */
    static java.lang.Process spawn(List<String> command, Map<String, String> environment) {
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        Map<String, String> env = builder.environment();
        env.clear();
        env.putAll(environment);
        try {
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot launch a child JVM with " + command.getFirst() + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@code record} to the child's private channel and closes it; false if the child is gone. */
    private static boolean send(java.lang.Process child, LaunchRecord record) {
        OutputStream channel = child.getOutputStream();
        try (channel) {
            record.writeTo(channel);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The {@code Process} object this handle runs. */
    public Object owner() {
        return owner;
    }

    /** The child's process id. */
    public long pid() {
        return process.pid();
    }

    /** Whether the child was a daemon when it started. */
    public boolean daemon() {
        return daemon;
    }

    /** The exit code, or {@code null} while the child runs (Python's {@code Popen.poll()}). */
    public Integer poll() {
        Integer code = exitCode;
        if (code != null || process.isAlive()) {
            return code;
        }
        return finish();
    }

    /**
     * Waits until the child ends, at most {@code nanos} when {@code nanos >= 0}, dropping the GIL.
     *
     * @return the exit code, or {@code null} on timeout
     * @throws dev.pyconc.builtins.InterruptedError if the thread is interrupted
     */
    public Integer await(long nanos) {
        Integer code = poll();
        if (code != null || nanos == 0) {
            return code;
        }
        boolean dropped = GilRuntime.beginBlocking();
        try {
            if (nanos < 0) {
                process.waitFor();
            } else if (!process.waitFor(nanos, TimeUnit.NANOSECONDS)) {
                return null;
            }
        } catch (InterruptedException e) {
            throw Interrupts.unchecked(e);
        } finally {
            GilRuntime.endBlocking(dropped);
        }
        return finish();
    }

    /**
     * Runs {@code action} once the child has ended (at once if it has): in the JDK's process
     * reaper thread, so it must be short and must not block. For a pool's result handler, which
     * must learn of a worker's death while it waits for results.
     */
    public void onExit(Runnable action) {
        process.onExit().thenRun(action);
    }

    /** Sends SIGTERM (Python's {@code terminate()}); nothing if the child has ended. */
    public void terminate() {
        if (process.isAlive()) {
            process.destroy();
        }
    }

    /** Sends SIGKILL (Python's {@code kill()}); nothing if the child has ended. */
    public void kill() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }

    /** Computes the exit code of the ended child, once, and forgets it as a live child. */
    private synchronized Integer finish() {
        Integer code = exitCode;
        if (code != null) {
            return code;
        }
        int status;
        try {
            status = process.waitFor();     // returns at once: the process has ended
        } catch (InterruptedException e) {
            throw Interrupts.unchecked(e);
        }
        boolean normal;
        try {
            normal = Files.deleteIfExists(marker);
        } catch (IOException e) {
            normal = false;
        }
        code = status > 128 && status <= 128 + 64 && !normal ? -(status - 128) : status;
        exitCode = code;
        Children.remove(this);
        return code;
    }

    private static Path newMarkerPath() {
        SecureRandom r = random;
        if (r == null) {
            r = new SecureRandom();
            random = r;
        }
        byte[] bits = new byte[8];
        r.nextBytes(bits);
        return Path.of(System.getProperty("java.io.tmpdir"),
                MARKER_PREFIX + MY_PID + "-" + HexFormat.of().formatHex(bits) + MARKER_SUFFIX);
    }

    /** Once per JVM: deletes exit markers left by parents that are no longer alive. */
    private static void sweepStaleMarkers() {
        if (swept) {
            return;
        }
        swept = true;
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        try (DirectoryStream<Path> markers = Files.newDirectoryStream(dir, MARKER_PREFIX + "*" + MARKER_SUFFIX)) {
            for (Path p : markers) {
                String name = p.getFileName().toString();
                int dash = name.indexOf('-', MARKER_PREFIX.length());
                if (dash < 0) {
                    continue;
                }
                try {
                    long pid = Long.parseLong(name.substring(MARKER_PREFIX.length(), dash));
                    if (pid != MY_PID && ProcessHandle.of(pid).isEmpty()) {
                        Files.deleteIfExists(p);
                    }
                } catch (NumberFormatException | IOException ignored) {
                    // not ours, or gone already
                }
            }
        } catch (IOException | SecurityException e) {
            Log.LOG.debug("cannot sweep stale exit markers in {}: {}", dir, e.toString());
        }
    }

    @Override
    public String toString() {
        return "Popen[pid=" + process.pid() + ", exitCode=" + exitCode + "]";
    }
}
