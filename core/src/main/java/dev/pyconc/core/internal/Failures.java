package dev.pyconc.core.internal;

import java.util.concurrent.CompletionException;

/**
 * How pyconc re-raises the exception of a task in the thread that asks for its result
 * ({@code Future.result()}, {@code Task.await()}, {@code AsyncResult.get()}): Python re-raises the
 * very exception, so unchecked exceptions and errors are thrown as they are, and a checked
 * exception, which an unchecked API cannot throw, arrives wrapped in a
 * {@link CompletionException} whose cause it is.
 */
public final class Failures {
    private Failures() {}

    /**
     * Throws {@code failure} if it is an {@link Error}; otherwise returns the unchecked exception
     * to throw for it. Use as {@code throw Failures.propagate(e);}.
     */
    public static RuntimeException propagate(Throwable failure) {
        if (failure instanceof Error e) {
            throw e;
        }
        if (failure instanceof RuntimeException r) {
            return r;
        }
        return new CompletionException(failure);
    }
}
