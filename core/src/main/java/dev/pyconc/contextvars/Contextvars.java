package dev.pyconc.contextvars;

/**
 * The functions of Python's {@code contextvars} module.
 *
 * <pre> {@code
 * Context snapshot = Contextvars.copyContext();
 * executor.submit(() -> snapshot.run(() -> work()));   // work() sees the caller's variables
 * }</pre>
 *
 * <p>Memory consistency effects: as for {@link Context}.
 */
public final class Contextvars {
    private Contextvars() {}

    /** A copy of the current context (Python's {@code contextvars.copy_context()}). */
    public static Context copyContext() {
        return Context.current().copy();
    }
}
