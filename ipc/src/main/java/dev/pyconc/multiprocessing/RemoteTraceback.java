package dev.pyconc.multiprocessing;

/**
 * The stack trace of an exception raised in a worker process, attached to the exception when it is
 * raised again in the parent by {@link AsyncResult#get()}, {@link IMapIterator#next()} or a
 * {@link ProcessPoolExecutor}'s future: Python's {@code multiprocessing.pool.RemoteTraceback},
 * which Python sets as the {@code __cause__} of the re-raised exception.
 *
 * <p>The exception itself travels by Java serialization, so its own stack trace already holds the
 * worker's frames; this object adds the text as the worker printed it (causes and suppressed
 * exceptions included), headed by the worker's name and pid. It is the exception's cause when the
 * exception had none, and one of its suppressed exceptions otherwise. When the exception cannot
 * travel (it is not serializable, or its class is not allowed in the parent), a
 * {@link PicklingError} or {@link UnpicklingError} that names it is raised instead, with this as
 * its cause.
 *
 * <pre> {@code
 * try {
 *     pool.apply(() -> Integer.parseInt("x"));
 * } catch (NumberFormatException e) {
 *     System.err.println(((RemoteTraceback) e.getCause()).traceback());
 * }
 * }</pre>
 *
 * <p>Memory consistency effects: none; an immutable value.
 */
public class RemoteTraceback extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String traceback;

    /** A carrier of {@code traceback}, the text of a stack trace printed in another process. */
    public RemoteTraceback(String traceback) {
        super("\n\"\"\"\n" + traceback + "\"\"\"", null, false, false);
        this.traceback = traceback;
    }

    /** The stack trace as the worker printed it. */
    public String traceback() {
        return traceback;
    }
}
