package dev.pyconc.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class TimeoutsTest {

    /** Durations convert to nanoseconds; those too long for a long saturate at Long.MAX_VALUE. */
    @Test
    void toNanos() {
        assertEquals(0, Timeouts.toNanos(Duration.ZERO));
        assertEquals(1_500_000, Timeouts.toNanos(Duration.ofNanos(1_500_000)));
        assertEquals(Long.MAX_VALUE, Timeouts.toNanos(Duration.ofSeconds(Long.MAX_VALUE)));
    }

    /** null and negative timeouts are refused with messages that say what to do. */
    @Test
    void refused() {
        assertEquals("timeout must not be null; call the overload without a timeout to wait without limit",
                assertThrows(IllegalArgumentException.class, () -> Timeouts.toNanos(null)).getMessage());
        assertEquals("interval must not be negative: PT-1S",
                assertThrows(IllegalArgumentException.class, () -> Timeouts.toNanos(Duration.ofSeconds(-1), "interval")).getMessage());
    }

    /** A deadline far away does not wrap: the time remaining stays positive and never exceeds the timeout. */
    @Test
    void deadlines() {
        long d = Timeouts.deadline(Long.MAX_VALUE);
        long left = Timeouts.remaining(d);
        assertTrue(left > 0 && left <= Long.MAX_VALUE);
        assertEquals(0, Timeouts.remaining(Timeouts.deadline(0) - 1));
        long soon = Timeouts.deadline(1_000_000_000L);
        assertTrue(Timeouts.remaining(soon) <= 1_000_000_000L);
    }
}
