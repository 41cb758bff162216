package dev.pyconc.asyncio;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code asyncio.subprocess} module: the {@link #PIPE}, {@link #STDOUT} and
 * {@link #DEVNULL} choices for a child's streams, and the builder that stands for the keyword
 * arguments of {@code create_subprocess_exec} / {@code create_subprocess_shell}.
 *
 * <pre> {@code
 * import static dev.pyconc.asyncio.Subprocess.PIPE;
 * import dev.pyconc.asyncio.Process;               // by name: java.lang.Process is imported implicitly
 *
 * Process p = Subprocess.exec("ls", "-l").stdout(PIPE).stderr(PIPE).cwd(dir).start();
 * Process.Output out = p.communicate();
 * Process sh = Subprocess.shell("sort | uniq -c").stdin(PIPE).stdout(PIPE).start();
 * }</pre>
 *
 * <p>Each stream defaults to {@link #INHERIT} (Python's {@code None}): the child shares the
 * parent's. {@link Asyncio#createSubprocessExec(String...)} and
 * {@link Asyncio#createSubprocessShell(String)} are the builders' {@code start()} with those
 * defaults.
 *
 * <p>A builder also starts a child with a {@link SubprocessProtocol} instead of streams
 * ({@link Builder#start(java.util.function.Supplier)}, Python's {@code loop.subprocess_exec} with
 * keyword arguments), sends a stream to or from a file or the parent's own stream with the JDK's
 * {@link ProcessBuilder.Redirect} ({@link Builder#redirectStdout(ProcessBuilder.Redirect)}: Python's
 * file objects and descriptors), and runs the child in a session of its own
 * ({@link Builder#startNewSession(boolean)}):
 *
 * <pre> {@code
 * Subprocess.exec("make").redirectStdout(ProcessBuilder.Redirect.appendTo(log)).startNewSession(true).start();
 * var tp = Subprocess.shell("tail -f app.log").stdout(PIPE).start(LogLines::new);
 * }</pre>
 *
 * <p>Memory consistency effects: none; a builder is a plain object of one task.
 */
public final class Subprocess {
    private Subprocess() {}

    /** What a child's stdin, stdout or stderr is connected to. */
    public enum Redirect {
        /** A pipe to the parent, read or written through the {@link Process}'s streams (Python's {@code PIPE}). */
        PIPE,
        /** stderr only: into the same pipe or file as stdout (Python's {@code STDOUT}). */
        STDOUT,
        /** The null device (Python's {@code DEVNULL}). */
        DEVNULL,
        /** The parent's own stream (Python's {@code None}, the default). */
        INHERIT
    }

    /** Python's {@code asyncio.subprocess.PIPE}. */
    public static final Redirect PIPE = Redirect.PIPE;
    /** Python's {@code asyncio.subprocess.STDOUT}. */
    public static final Redirect STDOUT = Redirect.STDOUT;
    /** Python's {@code asyncio.subprocess.DEVNULL}. */
    public static final Redirect DEVNULL = Redirect.DEVNULL;
    /** The parent's own stream: Python's {@code None}. */
    public static final Redirect INHERIT = Redirect.INHERIT;

    /**
     * A builder for the program {@code args[0]} with its arguments, run without a shell
     * (Python's {@code create_subprocess_exec(*args)}).
     *
     * @throws IllegalArgumentException if there is no argument or one is null
     */
    public static Builder exec(String... args) {
        if (args == null) {
            throw new IllegalArgumentException("args must not be null");
        }
        return exec(Arrays.asList(args));
    }

    /** As {@link #exec(String...)}. */
    public static Builder exec(List<String> args) {
        if (args == null || args.isEmpty()) {
            throw new IllegalArgumentException("the program to run must be given: args must not be empty");
        }
        for (String a : args) {
            if (a == null) {
                throw new IllegalArgumentException("no argument may be null: " + args);
            }
        }
        return new Builder(new ArrayList<>(args), false);
    }

    /**
     * A builder for {@code cmd} run by {@code /bin/sh -c} (Python's {@code create_subprocess_shell}):
     * the shell interprets it, so never build it from untrusted input.
     *
     * @throws IllegalArgumentException if {@code cmd} is null or empty
     */
    public static Builder shell(String cmd) {
        if (cmd == null || cmd.isEmpty()) {
            throw new IllegalArgumentException("cmd must not be null or empty");
        }
        return new Builder(new ArrayList<>(List.of("/bin/sh", "-c", cmd)), true);
    }

    /**
     * The keyword arguments of Python's {@code create_subprocess_exec}: {@code stdin},
     * {@code stdout}, {@code stderr}, {@code cwd}, {@code env} and {@code limit}.
     */
    public static final class Builder {
        final List<String> args;
        final boolean shell;
        Redirect stdin = INHERIT;
        Redirect stdout = INHERIT;
        Redirect stderr = INHERIT;
        ProcessBuilder.Redirect stdinTo;       // a file or INHERIT given as the JDK's Redirect; overrides stdin
        ProcessBuilder.Redirect stdoutTo;
        ProcessBuilder.Redirect stderrTo;
        File cwd;
        Map<String, String> env;
        int limit = StreamReader.DEFAULT_LIMIT;
        boolean startNewSession;

        Builder(List<String> args, boolean shell) {
            this.args = args;
            this.shell = shell;
        }

        /** The child's stdin: {@link #PIPE}, {@link #DEVNULL} or {@link #INHERIT}. */
        public Builder stdin(Redirect r) {
            if (r == null || r == STDOUT) {
                throw new IllegalArgumentException("stdin must be PIPE, DEVNULL or INHERIT, not " + r);
            }
            stdin = r;
            stdinTo = null;
            return this;
        }

        /**
         * The child's stdin from a file or the parent's own stdin, as the JDK's
         * {@link ProcessBuilder.Redirect} says ({@code Redirect.from(file)}, {@code Redirect.INHERIT}):
         * Python's {@code stdin=open(path)} or an inherited descriptor.
         */
        public Builder redirectStdin(ProcessBuilder.Redirect r) {
            if (r == null || r.type() == ProcessBuilder.Redirect.Type.WRITE || r.type() == ProcessBuilder.Redirect.Type.APPEND) {
                throw new IllegalArgumentException("stdin must be read from a file, piped or inherited, not " + r);
            }
            stdinTo = r;
            return this;
        }

        /** The child's stdout: {@link #PIPE}, {@link #DEVNULL} or {@link #INHERIT}. */
        public Builder stdout(Redirect r) {
            if (r == null || r == STDOUT) {
                throw new IllegalArgumentException("stdout must be PIPE, DEVNULL or INHERIT, not " + r);
            }
            stdout = r;
            stdoutTo = null;
            return this;
        }

        /**
         * The child's stdout to a file ({@code Redirect.to(file)}, or {@code Redirect.appendTo(file)}
         * to append) or the parent's own stdout ({@code Redirect.INHERIT}), as the JDK's
         * {@link ProcessBuilder.Redirect} says: Python's {@code stdout=open(path, "w" or "a")}.
         */
        public Builder redirectStdout(ProcessBuilder.Redirect r) {
            if (r == null || r.type() == ProcessBuilder.Redirect.Type.READ) {
                throw new IllegalArgumentException("stdout must be written to a file, piped or inherited, not " + r);
            }
            stdoutTo = r;
            return this;
        }

        /** The child's stderr: {@link #PIPE}, {@link #STDOUT}, {@link #DEVNULL} or {@link #INHERIT}. */
        public Builder stderr(Redirect r) {
            if (r == null) {
                throw new IllegalArgumentException("stderr must be PIPE, STDOUT, DEVNULL or INHERIT, not null");
            }
            stderr = r;
            stderrTo = null;
            return this;
        }

        /** The child's stderr to a file or the parent's own stderr, as {@link #redirectStdout(ProcessBuilder.Redirect)}. */
        public Builder redirectStderr(ProcessBuilder.Redirect r) {
            if (r == null || r.type() == ProcessBuilder.Redirect.Type.READ) {
                throw new IllegalArgumentException("stderr must be written to a file, piped or inherited, not " + r);
            }
            stderrTo = r;
            return this;
        }

        /**
         * Runs the child in a new session (Python's {@code start_new_session=True}): the program
         * leads a session and a process group of its own, and its pid is the program's. On Linux
         * through {@code POSIX_SPAWN_SETSID}; where children start with the JDK's
         * {@link ProcessBuilder} instead (see {@link Process}), through util-linux's {@code setsid}
         * program, which calls {@code setsid(2)} and then execs the program in the same process.
         */
        public Builder startNewSession(boolean newSession) {
            startNewSession = newSession;
            return this;
        }

        /** The child's working directory (Python's {@code cwd}). */
        public Builder cwd(Path dir) {
            if (dir == null) {
                throw new IllegalArgumentException("cwd must not be null");
            }
            cwd = dir.toFile();
            return this;
        }

        /** The child's whole environment, instead of the parent's (Python's {@code env}). */
        public Builder env(Map<String, String> environment) {
            if (environment == null) {
                throw new IllegalArgumentException("env must not be null (leave it unset to inherit the parent's)");
            }
            Map<String, String> copy = new LinkedHashMap<>();
            environment.forEach((k, v) -> {
                if (k == null || v == null) {
                    throw new IllegalArgumentException("env may hold no null name or value");
                }
                copy.put(k, v);
            });
            env = copy;
            return this;
        }

        /** The limit of the stdout and stderr readers (Python's {@code limit}, 64 KiB by default). */
        public Builder limit(int limit) {
            StreamReader.checkLimit(limit);
            this.limit = limit;
            return this;
        }

        /**
         * Starts the child (Python's {@code await create_subprocess_exec(...)}). Must be called
         * from a task body or callback of the running loop.
         *
         * @throws dev.pyconc.builtins.OSError if it cannot be started, e.g. the program does not exist
         *         ({@code Cannot run program "x": error=2, No such file or directory}) or a redirect's
         *         file cannot be opened
         */
        public Process start() {
            return Process.start(this);
        }

        /**
         * Starts the child with the protocol {@code protocolFactory} makes (Python's
         * {@code loop.subprocess_exec(protocol_factory, *args, **kwargs)} with these keyword
         * arguments). Must be called from a task body or callback of the running loop; from a task
         * body it returns once the protocol's {@code connectionMade} has run.
         *
         * @throws dev.pyconc.builtins.OSError if it cannot be started
         */
        public <P extends SubprocessProtocol> TransportProtocol<SubprocessTransport, P> start(java.util.function.Supplier<P> protocolFactory) {
            return Asyncio.getRunningLoop().subprocess(protocolFactory, this);
        }
    }
}
