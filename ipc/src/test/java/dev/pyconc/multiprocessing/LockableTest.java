package dev.pyconc.multiprocessing;

import static dev.pyconc.testing.Timing.SHORT;
import static dev.pyconc.testing.Timing.assertFalseNoEarlierThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.pyconc.testing.Threads;
import dev.pyconc.threading.Lockable;

/**
 * Code written once against {@link Lockable} runs with both families of locks, as Python's duck
 * typing lets a function take any lock: {@code threading}'s Lock and RLock and this package's.
 */
@ExtendWith(NoLeaks.class)
class LockableTest {

    /** What a library function written for any lock does: count under the lock, from two threads. */
    private static int countUnder(Lockable lock, int perThread) {
        int[] counter = {0};                                 // guarded by lock
        Runnable body = () -> {
            for (int i = 0; i < perThread; i++) {
                if (i % 2 == 0) {
                    try (var _ = lock.enter()) {             // with lock:
                        counter[0]++;
                    }
                } else {
                    assertTrue(lock.acquire(Duration.ofSeconds(30)));
                    try {
                        counter[0]++;
                    } finally {
                        lock.release();
                    }
                }
            }
        };
        var a = Threads.run("a", body);
        var b = Threads.run("b", body);
        a.get();
        b.get();
        try (var _ = lock.enter()) {
            return counter[0];
        }
    }

    /** A thread holds the lock: another's tryAcquire fails, its timed acquire times out, its acquire waits for the release. */
    private static String contend(Lockable lock) {
        lock.acquire();
        assertTrue(lock.locked());
        AtomicBoolean timedOut = new AtomicBoolean();
        var other = Threads.start("other", () -> {
            boolean tried = lock.tryAcquire();
            assertFalseNoEarlierThan(SHORT, () -> lock.acquire(SHORT));
            timedOut.set(true);
            boolean acquired = lock.acquire();
            lock.release();
            return tried + ", " + acquired;
        });
        Threads.until("the other thread's timed acquire timed out", timedOut::get);
        lock.release();
        String result = other.get();
        return result + ", " + lock.locked();
    }

    private static List<Lockable> allFour() {
        return List.of(new dev.pyconc.threading.Lock(), new dev.pyconc.threading.RLock(), new Lock(), new RLock());
    }

    /** Two threads counting 2 x 10,000 under each of the four locks reach exactly 20,000. */
    @Test
    void oneMethodCountsUnderEveryLock() {
        for (Lockable lock : allFour()) {
            assertEquals(20_000, countUnder(lock, 10_000), lock.toString());
            assertFalse(lock.locked(), lock.toString());
        }
    }

    /** Each of the four locks keeps a second thread out while held, and lets it in after the release. */
    @Test
    void oneMethodSeesEveryLockExclude() {
        for (Lockable lock : allFour()) {
            assertEquals("false, true, false", contend(lock), lock.toString());
        }
    }
}
