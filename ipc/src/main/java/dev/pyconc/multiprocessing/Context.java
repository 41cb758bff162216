package dev.pyconc.multiprocessing;

import java.util.List;

/**
 * A start method and what starts processes with it: Python's {@code multiprocessing} context
 * objects ({@code get_context(method)}), for a library that needs a start method of its own
 * without setting the program's.
 *
 * <pre> {@code
 * Context ctx = Multiprocessing.getContext("forkserver");
 * Process p = ctx.process(() -> work());
 * p.start();
 * try (Pool pool = ctx.poolBuilder().processes(4).build()) { ... }
 * }</pre>
 *
 * <p>The contexts of {@link Multiprocessing#getContext(String)} are concrete: their start method is
 * fixed and {@link #setStartMethod(String)} refuses to change it, as Python's does. The default
 * context ({@link Multiprocessing#getContext()}) follows the global start method and sets it.
 * Unlike Python's contexts, this one does not repeat the factories of the objects that do not
 * depend on the start method (locks, queues, values, shared memory): make those directly.
 *
 * <p>Memory consistency effects: none of its own; see {@link Process}.
 */
public final class Context {
    static final Context DEFAULT = new Context(null);
    private static final Context SPAWN = new Context("spawn");
    private static final Context FORKSERVER = new Context("forkserver");

    private final String method;         // null: the default context, which follows the global start method

    private Context(String method) {
        this.method = method;
    }

    static Context of(String method) {
        if (method == null) {
            return DEFAULT;
        }
        return switch (method) {
            case "spawn" -> SPAWN;
            case "forkserver" -> FORKSERVER;
            default -> throw new IllegalArgumentException("cannot find context for '" + method + "'; the start methods are "
                    + Multiprocessing.getAllStartMethods());
        };
    }

    /** The start method: Python's {@code get_start_method()}. */
    public String getStartMethod() {
        return method != null ? method : Multiprocessing.getStartMethod();
    }

    /** This context: Python's {@code ctx.get_context()}. */
    public Context getContext() {
        return this;
    }

    /** The context of {@code method}: Python's {@code ctx.get_context(method)}. */
    public Context getContext(String method) {
        return of(method);
    }

    /**
     * Sets the global start method through the default context; a concrete context's start
     * method cannot change: Python's {@code ctx.set_start_method(method)}.
     *
     * @throws IllegalArgumentException for a concrete context ("cannot set start method of
     *         concrete context", Python's ValueError), or if {@code method} is unknown
     * @throws IllegalStateException if the global start method was set before
     */
    public void setStartMethod(String method) {
        if (this.method != null) {
            throw new IllegalArgumentException("cannot set start method of concrete context");
        }
        Multiprocessing.setStartMethod(method);
    }

    /** The start methods there are: Python's {@code get_all_start_methods()}. */
    public List<String> getAllStartMethods() {
        return Multiprocessing.getAllStartMethods();
    }

    /** A process of this context running {@code target}: Python's {@code ctx.Process(target=...)}. */
    public Process process(SerializableRunnable target) {
        return processBuilder().target(target).build();
    }

    /** A builder of processes of this context, for Python's keyword arguments. */
    public Process.Builder processBuilder() {
        return Process.builder().startMethod(method);
    }

    /** A pipe: Python's {@code ctx.Pipe()}, the same as {@link Multiprocessing#pipe()}. */
    public Connection.Pair pipe() {
        return Multiprocessing.pipe();
    }

    /** A pipe: Python's {@code ctx.Pipe(duplex)}, the same as {@link Multiprocessing#pipe(boolean)}. */
    public Connection.Pair pipe(boolean duplex) {
        return Multiprocessing.pipe(duplex);
    }

    /** A builder of pools whose workers start with this context's method: Python's {@code ctx.Pool(...)}. */
    public Pool.Builder poolBuilder() {
        return Pool.builder().context(this);
    }

    /** A builder of executors whose workers start with this context's method: {@code ProcessPoolExecutor(mp_context=ctx)}. */
    public ProcessPoolExecutor.Builder executorBuilder() {
        return ProcessPoolExecutor.builder().context(this);
    }

    /** The start method its processes are given: null for the default context (the global one at each start). */
    String method() {
        return method;
    }

    @Override
    public String toString() {
        return "Context[" + (method != null ? method : "default: " + getStartMethod()) + "]";
    }
}
