package dev.pyconc.threading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import dev.pyconc.testing.Threads;
import dev.pyconc.testing.Timing;

class TimerTest {

    /** A started timer runs its function once, in its own thread, no earlier than its interval. */
    @Test
    void fires() {
        AtomicInteger runs = new AtomicInteger();
        AtomicLong firedAt = new AtomicLong();
        AtomicLong ranIn = new AtomicLong();
        Timer t = new Timer(Timing.SHORT, () -> {
            firedAt.set(System.nanoTime());
            ranIn.set(Threading.getIdent());
            runs.incrementAndGet();
        });
        assertEquals(Timing.SHORT, t.interval());
        long start = System.nanoTime();
        t.start();
        t.join();
        assertEquals(1, runs.get());
        assertTrue(firedAt.get() - start >= Timing.SHORT.toNanos());
        assertEquals(t.ident(), ranIn.get());
        assertTrue(t.finished());
    }

    /** A timer cancelled while it waits never runs its function and ends at once. */
    @Test
    void cancelWhileWaiting() {
        AtomicInteger runs = new AtomicInteger();
        Timer t = new Timer(Duration.ofHours(1), runs::incrementAndGet);
        t.start();
        Threads.untilParkedIn(t.javaThread(), Event.class);
        t.cancel();
        t.join(Duration.ofSeconds(30));
        assertFalse(t.isAlive());
        assertEquals(0, runs.get());
        assertTrue(t.finished());
    }

    /** A timer cancelled before start never runs its function. */
    @Test
    void cancelBeforeStart() {
        AtomicInteger runs = new AtomicInteger();
        Timer t = new Timer(Duration.ZERO, runs::incrementAndGet);
        t.cancel();
        t.start();
        t.join();
        assertEquals(0, runs.get());
        t.cancel();     // harmless afterwards
    }

    /** A negative or null interval and a null function are refused. */
    @Test
    void badArguments() {
        assertThrows(IllegalArgumentException.class, () -> new Timer(Duration.ofMillis(-1), () -> {}));
        assertThrows(IllegalArgumentException.class, () -> new Timer(null, () -> {}));
        assertEquals("function must not be null",
                assertThrows(IllegalArgumentException.class, () -> new Timer(Duration.ZERO, null)).getMessage());
    }
}
