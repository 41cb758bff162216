package dev.pyconc.asyncio;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/**
 * Stress: no two tasks (or a task and a callback) of one loop ever run at the same time, whatever
 * mix of suspensions, callbacks, cross-thread completions and loops sharing the carriers.
 */
@org.junit.jupiter.api.Timeout(120)
class ExclusionStressTest extends LoopTesting {
    private static final int TASKS = 300;
    private static final int STEPS = 300;

    /** Inside-counters never exceed one and a plain counter incremented by every step is exact. */
    @Test
    void atMostOneTaskOfALoopRunsAtATime() throws Exception {
        int loops = 2;
        List<Thread> runners = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicLong violations = new AtomicLong();
        long[] plainCounts = new long[loops];
        Set<Thread> threadsSeen = ConcurrentHashMap.newKeySet();
        for (int l = 0; l < loops; l++) {
            int li = l;
            Thread r = new Thread(() -> {
                try {
                    plainCounts[li] = Asyncio.run(() -> stress(violations, threadsSeen));
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            runners.add(r);
            r.start();
        }
        for (Thread r : runners) {
            r.join(100_000);
            assertFalse(r.isAlive());
        }
        assertEquals(List.of(), failures);
        assertEquals(0, violations.get(), "two bodies of one loop ran at the same time");
        long perLoop = (long) TASKS * STEPS + TASKS * (STEPS / 10) ;
        for (long c : plainCounts) {
            assertEquals(perLoop, c, "a plain counter lost increments: bodies overlapped");
        }
        assertTrue(threadsSeen.size() > 2, "the bodies ran on several threads: " + threadsSeen.size());
    }

    private static long stress(AtomicLong violations, Set<Thread> threadsSeen) {
        EventLoop loop = Asyncio.getRunningLoop();
        AtomicInteger inside = new AtomicInteger();
        long[] plain = {0};
        Lock lock = new Lock();
        Queue<Integer> queue = new Queue<>(2);
        Event gate = new Event();
        List<Task<Void>> ts = new ArrayList<>();
        for (int t = 0; t < TASKS; t++) {
            int id = t;
            ts.add(loop.createTask(() -> {
                gate.await();
                for (int s = 0; s < STEPS; s++) {
                    if (inside.incrementAndGet() != 1) {
                        violations.incrementAndGet();
                    }
                    threadsSeen.add(Thread.currentThread());
                    long v = plain[0];
                    Thread.onSpinWait();
                    plain[0] = v + 1;
                    inside.decrementAndGet();
                    switch ((id + s) % 6) {
                        case 0 -> Asyncio.sleep(Duration.ZERO);
                        case 1 -> {
                            try (var _ = lock.enter()) {
                                Asyncio.sleep(Duration.ZERO);
                            }
                        }
                        case 2 -> {
                            queue.put(s);
                            queue.get();
                        }
                        case 3 -> {
                            Future<Void> f = loop.createFuture();
                            loop.callSoon(() -> {
                                if (inside.incrementAndGet() != 1) {
                                    violations.incrementAndGet();
                                }
                                inside.decrementAndGet();
                                f.setResult(null);
                            });
                            f.await();
                        }
                        case 4 -> {
                            if (s % 10 == 0) {
                                // a completion from another thread
                                loop.runInExecutor(null, () -> ThreadLocalRandom.current().nextInt()).await();
                            }
                        }
                        default -> Asyncio.sleep(Duration.ofNanos(ThreadLocalRandom.current().nextInt(20_000)));
                    }
                    if (s % 10 == 0) {
                        plain[0]++;    // an extra step counted, between suspensions
                    }
                }
            }));
        }
        gate.set();
        Asyncio.gather(ts).await();
        return plain[0];
    }
}
