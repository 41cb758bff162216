package dev.pyconc.ipc.internal.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.pyconc.builtins.InterruptedError;
import dev.pyconc.ipc.internal.shm.Shm;
import dev.pyconc.ipc.internal.shm.Words;
import dev.pyconc.multiprocessing.ChildJvm;
import dev.pyconc.multiprocessing.NoLeaks;

@ExtendWith(NoLeaks.class)
class WaitEngineTest {
    private static final long WORD = 0, SLEEPERS = 64;

    /** A segment of this test, mapped twice: two addresses, one memory. */
    private record Twice(String name, Arena arena, MemorySegment a, MemorySegment b) implements AutoCloseable {
        static Twice map() {
            String name = Shm.randomName("test-wait-");
            Arena arena = Arena.ofShared();
            MemorySegment a = Shm.create(name, 4096, arena, false);
            return new Twice(name, arena, a, Shm.attach(name, arena));
        }

        @Override
        public void close() {
            arena.close();
            Shm.unlink(name);
        }
    }

    private static int awaitChange(MemorySegment s, int seen, long nanos) {
        return WaitEngine.await(s, WORD, SLEEPERS, stalled -> Words.getIntVolatile(s, WORD) != seen ? 1 : 0, nanos);
    }

    /** A thread sleeping on one mapping is woken by a change and wake made through the other. */
    @Test
    void wakeAcrossTwoMappings() throws Exception {
        try (var m = Twice.map()) {
            for (int i = 0; i < 200; i++) {
                int seen = Words.getIntVolatile(m.a, WORD);
                var waiter = CompletableFuture.supplyAsync(() -> awaitChange(m.a, seen, WaitEngine.FOREVER));
                if (i % 2 == 0) {
                    ChildJvm.eventually("sleeping", () -> Words.getIntVolatile(m.b, SLEEPERS) != 0);
                }
                Words.getAndAddInt(m.b, WORD, 1);
                WaitEngine.wakeChanged(m.b, WORD, SLEEPERS, Integer.MAX_VALUE);
                assertEquals(1, waiter.get(30, TimeUnit.SECONDS));
            }
        }
    }

    /** A timed wait that nobody ends returns TIMED_OUT after at least its timeout; zero does not wait. */
    @Test
    void timeout() {
        try (var m = Twice.map()) {
            long start = System.nanoTime();
            assertEquals(WaitEngine.TIMED_OUT, awaitChange(m.a, 0, 50_000_000L));
            assertTrue(System.nanoTime() - start >= 50_000_000L);
            assertEquals(WaitEngine.TIMED_OUT, awaitChange(m.a, 0, 0));
        }
    }

    /** An interrupted waiter throws InterruptedError and keeps its interrupt flag. */
    @Test
    void interrupt() throws Exception {
        try (var m = Twice.map()) {
            var outcome = new CompletableFuture<Boolean>();
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    awaitChange(m.a, 0, WaitEngine.FOREVER);
                    outcome.complete(false);
                } catch (InterruptedError e) {
                    outcome.complete(Thread.currentThread().isInterrupted());
                }
            });
            ChildJvm.eventually("sleeping", () -> Words.getIntVolatile(m.a, SLEEPERS) != 0);
            t.interrupt();
            assertTrue(outcome.get(30, TimeUnit.SECONDS));
            t.join();
        }
    }

    /** A virtual thread waits by polling (no pinned carrier) and still sees the change. */
    @Test
    void virtualThreadPolls() throws Exception {
        try (var m = Twice.map()) {
            var result = new CompletableFuture<Integer>();
            Thread.ofVirtual().start(() -> result.complete(awaitChange(m.a, 0, WaitEngine.FOREVER)));
            Thread.sleep(5);
            assertEquals(0, Words.getIntVolatile(m.a, SLEEPERS), "a polling waiter never raises the flag");
            Words.getAndAddInt(m.b, WORD, 1);
            assertEquals(1, result.get(30, TimeUnit.SECONDS));
        }
    }

    /** The attempt hears "stalled" while a wait lasts, so primitives can look for dead owners. */
    @Test
    void stalledAttemptsDuringALongWait() {
        try (var m = Twice.map()) {
            AtomicInteger stalls = new AtomicInteger();
            int r = WaitEngine.await(m.a, WORD, SLEEPERS, stalled -> stalled && stalls.incrementAndGet() == 3 ? 7 : 0,
                    WaitEngine.FOREVER);
            assertEquals(7, r);
            assertEquals(3, stalls.get());
        }
    }

    /** A backlog of {@code depth} items whose progress count moves (by one at each look) while {@code moving} is set. */
    private static WaitEngine.Backlog backlog(long depth, AtomicBoolean moving) {
        return backlog(new AtomicLong(depth), moving);
    }

    /** As {@link #backlog(long, AtomicBoolean)}, with a depth the test changes. */
    private static WaitEngine.Backlog backlog(AtomicLong depth, AtomicBoolean moving) {
        AtomicLong done = new AtomicLong();
        return new WaitEngine.Backlog() {
            @Override
            public long depth() {
                return depth.get();
            }

            @Override
            public long progress() {
                return moving.get() ? done.incrementAndGet() : done.get();
            }
        };
    }

    /** While the backlog is deep and progressing, a busy wait naps: it ends with its attempt and never raises the flag. */
    @Test
    void busyWaitNapsWithoutRaisingTheFlag() throws Exception {
        try (var m = Twice.map(); var pool = Executors.newSingleThreadExecutor()) {
            var waiter = CompletableFuture.supplyAsync(() -> WaitEngine.awaitBusy(m.a, WORD, SLEEPERS,
                    stalled -> Words.getIntVolatile(m.a, WORD) != 0 ? 1 : 0, backlog(8, new AtomicBoolean(true)),
                    WaitEngine.FOREVER), pool);
            Thread.sleep(20);
            assertEquals(0, Words.getIntVolatile(m.b, SLEEPERS), "a napping waiter does not raise the flag");
            Words.getAndAddInt(m.b, WORD, 1);       // no wake: the napper sees it at its next look
            assertEquals(1, waiter.get(30, TimeUnit.SECONDS));
            assertEquals(0, Words.getIntVolatile(m.b, SLEEPERS));
        }
    }

    /** A backlog that stops progressing, or is shallow, ends the napping: the waiter sleeps flagged and a wake ends it. */
    @Test
    void stalledOrShallowBacklogSleepsOnTheFutex() throws Exception {
        for (var b : List.of(backlog(100, new AtomicBoolean(false)), backlog(7, new AtomicBoolean(true)))) {
            try (var m = Twice.map(); var pool = Executors.newSingleThreadExecutor()) {
                var waiter = CompletableFuture.supplyAsync(() -> WaitEngine.awaitBusy(m.a, WORD, SLEEPERS,
                        stalled -> Words.getIntVolatile(m.a, WORD) != 0 ? 1 : 0, b, WaitEngine.FOREVER), pool);
                ChildJvm.eventually("sleeping", () -> Words.getIntVolatile(m.b, SLEEPERS) != 0);
                Words.getAndAddInt(m.b, WORD, 1);
                WaitEngine.wakeChanged(m.b, WORD, SLEEPERS, Integer.MAX_VALUE);
                assertEquals(1, waiter.get(30, TimeUnit.SECONDS));
            }
        }
    }

    /** A napping waiter still honours its timeout and its interrupt. */
    @Test
    void napHonoursTimeoutAndInterrupt() throws Exception {
        try (var m = Twice.map()) {
            long start = System.nanoTime();
            assertEquals(WaitEngine.TIMED_OUT, WaitEngine.awaitBusy(m.a, WORD, SLEEPERS, stalled -> 0,
                    backlog(8, new AtomicBoolean(true)), 30_000_000L));
            assertTrue(System.nanoTime() - start >= 30_000_000L);
            assertEquals(0, Words.getIntVolatile(m.a, SLEEPERS));

            var outcome = new CompletableFuture<Boolean>();
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    WaitEngine.awaitBusy(m.a, WORD, SLEEPERS, stalled -> 0, backlog(8, new AtomicBoolean(true)),
                            WaitEngine.FOREVER);
                    outcome.complete(false);
                } catch (InterruptedError e) {
                    outcome.complete(Thread.currentThread().isInterrupted());
                }
            });
            Thread.sleep(5);
            t.interrupt();
            assertTrue(outcome.get(30, TimeUnit.SECONDS));
            t.join();
        }
    }

    /**
     * A nap that lets the backlog run dry (the busy side then waited) makes the thread sleep
     * flagged, not nap, for its next waits: its next wait raises the flag although the backlog
     * is deep and progressing.
     */
    @Test
    void napThatRanDryIsNotRepeated() throws Exception {
        try (var m = Twice.map(); var pool = Executors.newSingleThreadExecutor()) {
            AtomicLong depth = new AtomicLong(8);
            var b = backlog(depth, new AtomicBoolean(true));
            var first = CompletableFuture.supplyAsync(() -> WaitEngine.awaitBusy(m.a, WORD, SLEEPERS, stalled -> {
                if (Words.getIntVolatile(m.a, WORD) == 0) {
                    return 0;
                }
                depth.set(0);                       // the room came with an empty backlog: it ran dry
                return 1;
            }, b, WaitEngine.FOREVER), pool);
            Thread.sleep(20);
            Words.putIntVolatile(m.b, WORD, 1);
            assertEquals(1, first.get(30, TimeUnit.SECONDS));
            assertEquals(0, Words.getIntVolatile(m.b, SLEEPERS));

            depth.set(8);
            var second = CompletableFuture.supplyAsync(() -> WaitEngine.awaitBusy(m.a, WORD, SLEEPERS,
                    stalled -> Words.getIntVolatile(m.a, WORD) != 1 ? 1 : 0, b, WaitEngine.FOREVER), pool);
            ChildJvm.eventually("sleeping flagged", () -> Words.getIntVolatile(m.b, SLEEPERS) != 0);
            Words.putIntVolatile(m.b, WORD, 2);
            WaitEngine.wakeChanged(m.b, WORD, SLEEPERS, Integer.MAX_VALUE);
            assertEquals(1, second.get(30, TimeUnit.SECONDS));
        }
    }

    /** A sleeper killed with kill -9 leaves the flag set; one wake clears it, the next costs nothing. */
    @Test
    void sleepersFlagHealsAfterAKilledSleeper() {
        try (var m = Twice.map(); var child = ChildJvm.start(WaitEngineTest.class, "sleepOn", m.name)) {
            child.expect("sleeping");
            ChildJvm.eventually("flag raised", () -> Words.getIntVolatile(m.a, SLEEPERS) == 1);
            child.kill9();
            assertEquals(1, Words.getIntVolatile(m.a, SLEEPERS));
            WaitEngine.wake(m.a, WORD, SLEEPERS, 1);
            assertEquals(0, Words.getIntVolatile(m.a, SLEEPERS));
            assertEquals(1, Words.getIntVolatile(m.a, WORD));
            WaitEngine.wake(m.a, WORD, SLEEPERS, 1);
            assertEquals(1, Words.getIntVolatile(m.a, WORD), "no sleeper: the word is left alone");
        }
    }

    /** In GIL mode a thread waiting on a cross-process primitive drops the GIL, so others run. */
    @Test
    void waitingDropsTheGil() {
        try (var child = ChildJvm.start(List.of("-Dpyconc.gil=1"), null, WaitEngineTest.class, "gilScenario")) {
            child.expect("done 100000");
            assertEquals(0, child.waitFor());
        }
    }

    /** Child: sleeps on word 0 of segment args[0]. */
    public static void sleepOn(Object[] args) {
        MemorySegment s = Shm.attach((String) args[0], Arena.ofAuto());
        ChildJvm.say("sleeping");
        awaitChange(s, 0, WaitEngine.FOREVER);
    }

    /**
     * Child, GIL on: a pyconc thread (attached to the GIL) sleeps on a word while the main thread,
     * which holds the GIL, runs checkpoints until it sees the sleeper's flag, then 100,000 more:
     * were the GIL kept by the sleeper, the main thread's checkpoints would block for ever.
     */
    public static void gilScenario(Object[] args) throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment s = arena.allocate(4096, 4096);
            var waiter = new dev.pyconc.threading.Thread(() -> awaitChange(s, 0, WaitEngine.FOREVER));
            waiter.start();
            while (Words.getIntVolatile(s, SLEEPERS) == 0) {
                dev.pyconc.gil.Gil.checkpoint();
            }
            int loops = 0;
            for (; loops < 100_000; loops++) {
                dev.pyconc.gil.Gil.checkpoint();
            }
            Words.getAndAddInt(s, WORD, 1);
            WaitEngine.wakeChanged(s, WORD, SLEEPERS, 1);
            waiter.join();
            ChildJvm.say("done " + loops);
        }
    }
}
