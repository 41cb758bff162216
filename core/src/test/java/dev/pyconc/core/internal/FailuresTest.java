package dev.pyconc.core.internal;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.Test;

class FailuresTest {

    /** Unchecked exceptions propagate as they are, errors are thrown, checked ones are wrapped. */
    @Test
    void propagate() {
        IllegalStateException unchecked = new IllegalStateException();
        assertSame(unchecked, Failures.propagate(unchecked));
        OutOfMemoryError error = new OutOfMemoryError("test");
        assertSame(error, assertThrows(OutOfMemoryError.class, () -> Failures.propagate(error)));
        IOException checked = new IOException("io");
        RuntimeException wrapped = Failures.propagate(checked);
        assertSame(CompletionException.class, wrapped.getClass());
        assertSame(checked, wrapped.getCause());
    }
}
