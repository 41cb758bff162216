package dev.pyconc.asyncio;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Map;
import java.util.TreeMap;

import dev.pyconc.builtins.ProcessLookupError;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Unix signals for the loop and its children: sending one ({@code kill(2)}) and catching one
 * (the JDK's {@code sun.misc.Signal}, from module {@code jdk.unsupported}).
 */
final class Signals {
    private Signals() {}

    /*
     * Overview.
     *
     * Numbers and names: the JDK knows signals by name ("TERM"); NUMBERS maps the platform's
     * numbers to names, asked of the JDK once (new Signal(name).getNumber()), so Linux's and
     * macOS's numbering both come out right.
     *
     * Catching: install() puts a handler in with Signal.handle and returns the one it replaced,
     * which restore() puts back. Some signals cannot be caught in a JVM; install() refuses them
     * with IllegalStateException naming the signal and the reason, before anything is changed
     * where the reason is known in advance (SIGKILL and SIGSTOP: the kernel; SIGSEGV, SIGILL,
     * SIGFPE, SIGBUS: HotSpot turns them into Java errors; SIGQUIT: HotSpot's thread dump;
     * SIGPIPE and SIGXFSZ: HotSpot ignores them so that a write fails with an IOException instead
     * of killing the process). Others HotSpot may hold depending on the platform and its flags
     * (SIGUSR2 is HotSpot's thread suspend/resume signal on Linux, unless _JAVA_SR_SIGNUM moves
     * it): install() sees the VM's native handler come back as the previous one, puts it back at
     * once and refuses, so a signal that arrives in that instant runs the caller's handler once.
     */

    private static final String[] NAMES = {
        "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
        "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG",
        "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS", "EMT", "INFO"
    };
    private static final Map<Integer, String> NUMBERS = numbers();
    private static final int ESRCH = 3;

    /** kill(2), looked up on first use: catching a signal needs no native access, and warns of none. */
    private static final class Kill {
        static final MethodHandle H = lookupKill();
    }

    private static Map<Integer, String> numbers() {
        Map<Integer, String> m = new TreeMap<>();
        for (String n : NAMES) {
            try {
                m.putIfAbsent(new Signal(n).getNumber(), n);
            } catch (IllegalArgumentException notHere) {
                // not a signal of this platform
            }
        }
        return m;
    }

    /** "SIGTERM" for 15, or "signal 99" for a number the platform does not name. */
    static String name(int sig) {
        String n = NUMBERS.get(sig);
        return n == null ? "signal " + sig : "SIG" + n;
    }

    /**
     * Why {@code sig} cannot be caught, or null when nothing is known against it.
     *
     * @throws IllegalArgumentException if {@code sig} is not a signal of this platform
     */
    static String uncatchable(int sig) {
        String n = NUMBERS.get(sig);
        if (n == null) {
            throw new IllegalArgumentException("invalid signal number " + sig);
        }
        return switch (n) {
            case "KILL", "STOP" -> "the kernel never lets a process catch it";
            case "SEGV", "ILL", "FPE", "BUS" -> "HotSpot handles it itself, turning the faults of Java code and of mapped memory into Java errors";
            case "QUIT" -> "HotSpot uses it to print a thread dump (unless the JVM runs with -Xrs)";
            case "PIPE", "XFSZ" -> "HotSpot handles it itself so that a write fails with an IOException instead of ending the process";
            default -> null;
        };
    }

    /**
     * Makes {@code handler} the handler of {@code sig}; returns the one it replaced.
     *
     * @throws IllegalArgumentException if {@code sig} is not a signal of this platform
     * @throws IllegalStateException if the JVM does not let it be caught, naming the reason
     */
    static SignalHandler install(int sig, SignalHandler handler) {
        String why = uncatchable(sig);
        if (why != null) {
            throw cannotCatch(sig, why);
        }
        Signal s = new Signal(NUMBERS.get(sig));
        SignalHandler previous;
        try {
            previous = Signal.handle(s, handler);
        } catch (IllegalArgumentException e) {
            throw cannotCatch(sig, "the JVM refused it (" + e.getMessage() + ")");
        }
        if (isVmNative(previous)) {
            Signal.handle(s, previous);
            throw cannotCatch(sig, "HotSpot holds it with a native handler of its own"
                    + (sig == 12 ? " (SIGUSR2 is its thread suspend/resume signal on Linux; _JAVA_SR_SIGNUM moves it)" : ""));
        }
        return previous;
    }

    /** Puts {@code previous} back as the handler of {@code sig}; returns the one it replaced. */
    static SignalHandler restore(int sig, SignalHandler previous) {
        return Signal.handle(new Signal(NUMBERS.get(sig)), previous);
    }

    /** Whether {@code h} is the JDK's own handler: the shutdown hooks' (SIGINT, SIGTERM, SIGHUP) or the default action. */
    static boolean isJdkDefault(SignalHandler h) {
        return h == SignalHandler.SIG_DFL || String.valueOf(h).startsWith("java.lang.Terminator");
    }

    private static boolean isVmNative(SignalHandler h) {
        return String.valueOf(h).startsWith("jdk.internal.misc.Signal$NativeHandler");
    }

    private static IllegalStateException cannotCatch(int sig, String why) {
        return new IllegalStateException("sig " + sig + " (" + name(sig) + ") cannot be caught: " + why);
    }

    // ---------------------------------------------------------------- sending

    @SuppressWarnings("restricted")     // kill(2); native access is documented on Process
    private static MethodHandle lookupKill() {
        try {
            Linker linker = Linker.nativeLinker();
            return linker.downcallHandle(linker.defaultLookup().find("kill").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                    Linker.Option.captureCallState("errno"));
        } catch (Throwable e) {        // IllegalCallerException without native access, or no kill()
            EventLoop.LOG.debug("kill(2) is not available through the FFM API; /bin/kill is used", e);
            return null;
        }
    }

    /** kill(2) through the FFM API, or /bin/kill where native access is denied. */
    static void kill(long pid, int sig) {
        MethodHandle kill = Kill.H;
        if (kill != null) {
            try (var arena = java.lang.foreign.Arena.ofConfined()) {
                var state = arena.allocate(Linker.Option.captureStateLayout());
                int r = (int) kill.invokeExact(state, (int) pid, sig);
                if (r != 0) {
                    int errno = state.get(ValueLayout.JAVA_INT,
                            Linker.Option.captureStateLayout().byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno")));
                    if (errno == ESRCH) {
                        throw new ProcessLookupError("process " + pid + " has exited");
                    }
                    throw new UncheckedIOException(new IOException("kill(" + pid + ", " + sig + ") failed: errno " + errno));
                }
                return;
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }
        try {
            java.lang.Process k = new ProcessBuilder("kill", "-s", Integer.toString(sig), Long.toString(pid))
                    .redirectErrorStream(true).start();
            int rc = k.waitFor();
            if (rc != 0) {
                throw new ProcessLookupError("kill -s " + sig + " " + pid + " failed with status " + rc);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling " + pid, e);
        }
    }
}
