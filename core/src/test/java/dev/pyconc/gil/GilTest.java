package dev.pyconc.gil;

import static dev.pyconc.testing.Threads.untilParkedIn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.pyconc.core.internal.GilRuntime;
import dev.pyconc.futures.ThreadPoolExecutor;
import dev.pyconc.queue.Queue;
import dev.pyconc.testing.ChildJvm;
import dev.pyconc.testing.Threads;
import dev.pyconc.threading.Thread;
import dev.pyconc.threading.Timer;

/**
 * The GIL mode's mechanism, checked through ordering, thread states and {@link Gil#stats()}, never
 * through wall-clock time. GIL mode is global: every test turns it off again, and JUnit runs the
 * tests of the module one at a time.
 */
class GilTest {

    @BeforeEach
    void off() {
        Gil.disable();
        Gil.setSwitchInterval(Duration.ofMillis(1));
    }

    @AfterEach
    void restore() {
        Gil.disable();
        Gil.setSwitchInterval(Duration.ofMillis(5));
    }

    private static boolean held() {
        return GilRuntime.heldByCurrentThread();
    }

    /** Off by default: nothing holds the GIL and checkpoints change no counter. */
    @Test
    void offByDefault() {
        assertFalse(Gil.isEnabled());
        GilStats before = Gil.stats();
        for (int i = 0; i < 1_000; i++) {
            Gil.checkpoint();
        }
        assertFalse(held());
        assertEquals(before, Gil.stats());
    }

    /** enable() makes the caller the holder; disable() frees everyone; both are idempotent. */
    @Test
    void enableAndDisable() {
        long acquisitions = Gil.stats().acquisitions();
        Gil.enable();
        Gil.enable();
        assertTrue(Gil.isEnabled());
        assertTrue(held());
        assertEquals(acquisitions + 1, Gil.stats().acquisitions());
        Gil.disable();
        Gil.disable();
        assertFalse(Gil.isEnabled());
        assertFalse(held());
    }

    /** The switch interval must be positive; it can be read back. */
    @Test
    void switchInterval() {
        Gil.setSwitchInterval(Duration.ofMillis(7));
        assertEquals(Duration.ofMillis(7), Gil.getSwitchInterval());
        assertThrows(IllegalArgumentException.class, () -> Gil.setSwitchInterval(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> Gil.setSwitchInterval(Duration.ofMillis(-1)));
        assertThrows(IllegalArgumentException.class, () -> Gil.setSwitchInterval(null));
        assertEquals(Duration.ofMillis(7), Gil.getSwitchInterval());
    }

    /**
     * Two CPU-bound attached threads: never both between checkpoints at once, each is forced to
     * hand over by the other's drop requests, and neither starves: each sees the other run many times.
     */
    @Test
    void mutualExclusionForcedSwitchingNoStarvation() {
        int turns = 20;
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicIntegerArray progress = new AtomicIntegerArray(2);
        AtomicIntegerArray seenSwitches = new AtomicIntegerArray(2);
        AtomicIntegerArray finished = new AtomicIntegerArray(2);
        Gil.enable();
        GilStats before = Gil.stats();
        Thread[] threads = new Thread[2];
        for (int i = 0; i < 2; i++) {
            int me = i;
            int other = 1 - i;
            threads[i] = new Thread(() -> {
                int lastOther = progress.get(other);
                while (seenSwitches.get(me) < turns && finished.get(other) == 0) {
                    Gil.checkpoint();
                    if (inside.incrementAndGet() != 1) {
                        overlaps.incrementAndGet();
                    }
                    int now = progress.get(other);
                    if (now != lastOther) {
                        seenSwitches.incrementAndGet(me);
                        lastOther = now;
                    }
                    progress.incrementAndGet(me);
                    inside.decrementAndGet();
                }
                finished.set(me, 1);
            }, "cpu-" + i);
        }
        threads[0].start();
        threads[1].start();
        threads[0].join();      // joins drop the GIL while they wait
        threads[1].join();
        GilStats after = Gil.stats();
        assertEquals(0, overlaps.get(), "attached threads overlapped between checkpoints");
        int fewest = Math.min(seenSwitches.get(0), seenSwitches.get(1));
        assertTrue(fewest >= turns - 1, "each thread saw the other run: " + seenSwitches);
        assertTrue(after.switches() - before.switches() >= 2L * (turns - 1), before + " -> " + after);
        assertTrue(after.dropRequests() > before.dropRequests(), before + " -> " + after);
        assertTrue(after.forcedDrops() > before.forcedDrops(), before + " -> " + after);
        assertTrue(after.waitTime().compareTo(before.waitTime()) > 0);
        assertTrue(held(), "the enabling thread holds the GIL again after join");
    }

    /** A blocking call drops the GIL while it waits and retakes it before it returns. */
    @Test
    void blockingCallsReleaseTheGil() {
        Gil.enable();
        Queue<Integer> q = new Queue<>();
        boolean[] heldAfterGet = new boolean[1];
        Thread consumer = new Thread(() -> {
            int item = q.get();                      // blocks: the GIL is dropped meanwhile
            heldAfterGet[0] = held() && item == 42;
        }, "consumer");
        consumer.start();
        untilParkedIn(consumer.javaThread(), Queue.class);
        assertTrue(held(), "the main thread holds the GIL while the consumer waits");
        q.put(42);
        // the consumer wakes, but cannot return from get() while this thread holds the GIL
        untilParkedIn(consumer.javaThread(), GilRuntime.class);
        assertTrue(consumer.isAlive());
        consumer.join();    // drops the GIL: the consumer finishes
        assertTrue(heldAfterGet[0]);
        assertTrue(held());
    }

    /** allowThreads runs its body without the GIL, so another attached thread runs meanwhile. */
    @Test
    void allowThreadsLetsOthersRun() {
        Gil.enable();
        AtomicInteger progress = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        Thread spinner = new Thread(() -> {
            while (!stop.get()) {
                Gil.checkpoint();
                progress.incrementAndGet();
            }
        }, "spinner");
        spinner.start();
        assertTrue(held());
        int before = progress.get();
        boolean heldInside = Gil.allowThreads(() -> {
            Threads.until("spinner runs while the GIL is allowed", () -> progress.get() > before + 1_000);
            return held();
        });
        assertFalse(heldInside);
        assertTrue(held());
        stop.set(true);
        spinner.join();
        int[] ran = {0};
        Gil.allowThreads(() -> ran[0]++);
        assertEquals(1, ran[0]);
    }

    /** Gil.attach() scopes: a plain thread takes the GIL inside, and runs freely outside; scopes nest. */
    @Test
    void attachScopes() {
        Gil.enable();
        AtomicInteger phase = new AtomicInteger();
        var plain = Threads.start("plain", () -> {
            Gil.checkpoint();                        // not attached: no effect
            boolean outside = held();
            phase.set(1);
            try (var _ = Gil.attach()) {             // waits for the GIL
                phase.set(2);
                boolean inside = held();
                try (var _ = Gil.attach()) {
                    inside &= held();
                }
                inside &= held();
                return !outside && inside;
            } finally {
                phase.set(3);
                if (held()) {
                    throw new AssertionError("still holds the GIL after its scope");
                }
            }
        });
        Threads.until("plain thread ran outside the GIL", () -> phase.get() >= 1);
        untilParkedIn(plain.thread(), GilRuntime.class);
        assertEquals(1, phase.get(), "attach waits while this thread holds the GIL");
        boolean ok = Gil.allowThreads(() -> plain.get());
        assertTrue(ok);
        assertEquals(3, phase.get());
    }

    /** Threads attached before enable() run freely until enable(), then join the GIL at their next checkpoint. */
    @Test
    void threadsAttachedBeforeEnableJoin() {
        AtomicInteger progress = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        Thread spinner = new Thread(() -> {
            while (!stop.get()) {
                Gil.checkpoint();
                progress.incrementAndGet();
            }
        }, "early");
        spinner.start();
        Threads.until("spinner runs with the GIL off", () -> progress.get() > 1_000);
        long acquisitions = Gil.stats().acquisitions();
        Gil.enable();
        untilParkedIn(spinner.javaThread(), GilRuntime.class);   // joined at its checkpoint: waits for the GIL
        int frozen = progress.get();
        assertTrue(held());
        assertEquals(frozen, progress.get());
        Gil.allowThreads(() -> Threads.until("spinner holds the GIL", () -> progress.get() > frozen));
        stop.set(true);
        spinner.join();
        assertTrue(Gil.stats().acquisitions() >= acquisitions + 3, "enable, the spinner's join, the retake");
    }

    /** A second thread that calls enable() while the GIL is on waits for it like any attached thread. */
    @Test
    void enableFromSecondThreadTakesTheGil() {
        Gil.enable();
        var second = Threads.start("second", () -> {
            Gil.enable();
            return held();
        });
        untilParkedIn(second.thread(), GilRuntime.class);
        assertTrue(Gil.allowThreads(() -> second.get()));
        assertTrue(held());
    }

    /** pyconc Threads, Timers and pool workers are attached: they hold the GIL while they run. */
    @Test
    void pyconcThreadsAreAttached() {
        Gil.enable();
        boolean[] seen = new boolean[2];
        Thread t = new Thread(() -> seen[0] = held());
        t.start();
        t.join();
        Timer timer = new Timer(Duration.ZERO, () -> seen[1] = held());
        timer.start();
        timer.join();
        boolean inPool;
        try (var pool = new ThreadPoolExecutor(1)) {
            inPool = pool.submit(GilTest::held).result();
        }
        assertTrue(seen[0]);
        assertTrue(seen[1]);
        assertTrue(inPool);
        assertFalse(Threads.start("plain", GilTest::held).get());
    }

    /** -Dpyconc.gil=1 and PYCONC_GIL=1 turn GIL mode on at start-up; a bad value is refused. */
    @Test
    void startupSwitches() {
        var byProperty = ChildJvm.run(ReportMain.class, List.of("-Dpyconc.gil=1"));
        assertEquals("enabled=true held=true\n", byProperty.out(), byProperty.toString());
        var byEnv = ChildJvm.run(ReportMain.class, List.of(), Map.of("PYCONC_GIL", "1"));
        assertEquals("enabled=true held=true\n", byEnv.out(), byEnv.toString());
        var off = ChildJvm.run(ReportMain.class, List.of("-Dpyconc.gil=0"), Map.of("PYCONC_GIL", "1"));
        assertEquals("enabled=false held=false\n", off.out(), off.toString());
        var bad = ChildJvm.run(ReportMain.class, List.of("-Dpyconc.gil=maybe"));
        assertEquals(1, bad.exitCode(), bad.toString());
        assertTrue(bad.err().contains("pyconc.gil / PYCONC_GIL must be 1 or 0 (true/false, on/off), not 'maybe'"), bad.err());
    }

    /** Child JVM: reports whether GIL mode is on. */
    static final class ReportMain {
        public static void main(String[] args) {
            System.out.println("enabled=" + Gil.isEnabled() + " held=" + held());
        }
    }
}
