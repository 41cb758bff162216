package dev.pyconc.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import org.junit.jupiter.api.function.Executable;

/**
 * Checks of timed waits: a wait that times out has waited at least its timeout (an exact lower
 * bound that AQS guarantees, not a measure of speed), and bad timeouts are refused.
 */
public final class Timing {
    /** The timeout used by tests that let a wait expire: short, to keep the suite fast. */
    public static final Duration SHORT = Duration.ofMillis(30);

    private Timing() {}

    /** Asserts that {@code timedWait} returns {@code false} and took at least {@code timeout}. */
    public static void assertFalseNoEarlierThan(Duration timeout, BooleanSupplier timedWait) {
        long start = System.nanoTime();
        boolean result = timedWait.getAsBoolean();
        long elapsed = System.nanoTime() - start;
        assertFalse(result, "timed wait returned true");
        assertTrue(elapsed >= timeout.toNanos(), "returned false after " + elapsed + " ns, before its timeout " + timeout);
    }

    /** Asserts that {@code timedWait} throws {@code type} and took at least {@code timeout}. */
    public static <X extends Throwable> X assertThrowsNoEarlierThan(Class<X> type, Duration timeout, Executable timedWait) {
        long start = System.nanoTime();
        X e = assertThrows(type, timedWait);
        long elapsed = System.nanoTime() - start;
        assertTrue(elapsed >= timeout.toNanos(), "threw after " + elapsed + " ns, before its timeout " + timeout);
        return e;
    }

    /**
     * Asserts that {@code call} refuses a null and a negative timeout with
     * {@link IllegalArgumentException} and the messages of {@code Timeouts}.
     */
    public static void assertRejectsBadTimeouts(Consumer<Duration> call) {
        IllegalArgumentException isNull = assertThrows(IllegalArgumentException.class, () -> call.accept(null));
        assertTrue(isNull.getMessage().contains("must not be null; call the overload without a"), isNull.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> call.accept(Duration.ofNanos(-1)));
        assertTrue(negative.getMessage().contains("must not be negative: PT-0.000000001S"), negative.getMessage());
        assertEquals(IllegalArgumentException.class, negative.getClass());
    }
}
