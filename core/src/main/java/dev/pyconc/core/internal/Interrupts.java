package dev.pyconc.core.internal;

import dev.pyconc.builtins.InterruptedError;


/** The one place where an {@link InterruptedException} becomes pyconc's unchecked {@link InterruptedError}. */
public final class Interrupts {
    private Interrupts() {}

    /**
     * Restores the current thread's interrupt flag and returns the unchecked error to throw, so
     * that callers further up still see the interrupt.
     */
    public static InterruptedError unchecked(InterruptedException cause) {
        Thread.currentThread().interrupt();
        return new InterruptedError(cause);
    }
}
