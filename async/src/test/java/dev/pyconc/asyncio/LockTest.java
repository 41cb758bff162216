package dev.pyconc.asyncio;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(60)
class LockTest extends LoopTesting {

    /** The lock serializes critical sections that await inside. */
    @Test
    void mutualExclusionAcrossAwaits() {
        int[] shared = {0};
        Asyncio.run(() -> {
            Lock lock = new Lock();
            List<Task<Void>> ts = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                ts.add(Asyncio.createTask(() -> {
                    try (var _ = lock.enter()) {
                        int v = shared[0];
                        Asyncio.sleep(Duration.ZERO);
                        shared[0] = v + 1;
                    }
                }));
            }
            Asyncio.gather(ts).await();
            assertFalse(lock.locked());
            return null;
        });
        assertEquals(20, shared[0]);
    }

    /** Waiters acquire in FIFO order. */
    @Test
    void fifo() {
        List<Integer> order = new ArrayList<>();
        Asyncio.run(() -> {
            Lock lock = new Lock();
            lock.acquire();
            List<Task<Void>> ts = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                int k = i;
                ts.add(Asyncio.createTask(() -> {
                    lock.acquire();
                    order.add(k);
                    lock.release();
                }));
            }
            Asyncio.sleep(Duration.ZERO);
            lock.release();
            Asyncio.gather(ts).await();
            return null;
        });
        assertEquals(List.of(0, 1, 2, 3, 4), order);
    }

    /** A waiter cancelled after it was woken passes the wake-up on: the next waiter gets the lock (gh-90155). */
    @Test
    void cancelledWaiterDoesNotSwallowWakeUp() {
        List<String> log = new ArrayList<>();
        Asyncio.run(() -> {
            Lock lock = new Lock();
            lock.acquire();
            Task<Void> a = Asyncio.createTask(() -> {
                lock.acquire();
                log.add("a");
                lock.release();
            });
            Task<Void> b = Asyncio.createTask(() -> {
                lock.acquire();
                log.add("b");
                lock.release();
            });
            Asyncio.sleep(Duration.ZERO);
            lock.release();       // wakes a
            a.cancel();           // ...which is cancelled before it runs
            Asyncio.gather(true, List.of(a, b)).await();
            assertTrue(a.cancelled());
            assertFalse(lock.locked());
            return null;
        });
        assertEquals(List.of("b"), log);
    }

    /** Three waiters; a callback cancels the first and releases the lock: exactly one other waiter takes it (bpo-32734). */
    @Test
    @DisplayName("test_cancel_release_race")
    void testCancelReleaseRace() {
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            Lock lock = new Lock();
            int[] lockCount = {0};
            int[] callCount = {0};
            Runnable lockit = () -> {
                callCount[0]++;
                lock.acquire();
                lockCount[0]++;
            };
            lock.acquire();
            Task<Void> t1 = Asyncio.createTask(lockit);
            Task<Void> t2 = Asyncio.createTask(lockit);
            Task<Void> t3 = Asyncio.createTask(lockit);
            Asyncio.sleep(Duration.ZERO);          // the three wait
            loop.callSoon(() -> {
                t1.cancel();
                lock.release();
            });
            assertThrows(CancelledError.class, t1::await);
            assertEquals(1, lockCount[0], "tasks that took the lock");
            assertEquals(3, callCount[0]);
            assertTrue(t1.cancelled());
            assertTrue(t2.done());
            assertFalse(t3.done());
            assertTrue(lock.locked());
            t3.cancel();
            Asyncio.sleep(Duration.ZERO);
            assertTrue(t3.cancelled());
            return null;
        });
    }

    /** B, cancelled while A releases, is skipped: its cancelled waiter does not stop C from taking the lock. */
    @Test
    @DisplayName("test_cancel_race")
    void testCancelRace() {
        Asyncio.run(() -> {
            Lock lock = new Lock();
            Future<Void> fa = Asyncio.getRunningLoop().createFuture();
            java.util.function.Function<Future<Void>, Task<Void>> lockit = blocker -> Asyncio.createTask(() -> {
                lock.acquire();
                try {
                    if (blocker != null) {
                        blocker.await();
                    }
                } finally {
                    lock.release();
                }
            });
            Task<Void> ta = lockit.apply(fa);
            Asyncio.sleep(Duration.ZERO);
            assertTrue(lock.locked());
            Task<Void> tb = lockit.apply(null);
            Asyncio.sleep(Duration.ZERO);
            assertTrue(lock.toString().contains("waiters=1"), lock.toString());
            Task<Void> tc = lockit.apply(null);
            Asyncio.sleep(Duration.ZERO);
            assertTrue(lock.toString().contains("waiters=2"), lock.toString());
            fa.setResult(null);
            tb.cancel();
            Asyncio.sleep(Duration.ZERO);
            assertFalse(lock.locked());
            assertTrue(ta.done());
            assertTrue(tb.cancelled());
            tc.await();
            assertFalse(lock.locked());
            return null;
        });
    }

    /** The first waiter is woken and cancelled at once: the second still gets the lock. */
    @Test
    @DisplayName("test_finished_waiter_cancelled")
    void testFinishedWaiterCancelled() {
        Asyncio.run(() -> {
            Lock lock = new Lock();
            lock.acquire();
            Task<Boolean> tb = Asyncio.createTask(lock::acquire);
            Asyncio.sleep(Duration.ZERO);
            Task<Boolean> tc = Asyncio.createTask(lock::acquire);
            tb.cancel();
            lock.release();
            Asyncio.sleep(Duration.ZERO);
            assertTrue(lock.locked());
            assertTrue(tb.cancelled());
            assertTrue(tc.await());
            return null;
        });
    }

    /** A waiter cancelled before the release leaves no waiter behind. */
    @Test
    @DisplayName("test_acquire_cancel")
    void testAcquireCancel() {
        Asyncio.run(() -> {
            Lock lock = new Lock();
            assertTrue(lock.acquire());
            Task<Boolean> task = Asyncio.createTask(lock::acquire);
            Asyncio.getRunningLoop().callSoon(task::cancel);
            assertThrows(CancelledError.class, task::await);
            assertFalse(lock.toString().contains("waiters"), lock.toString());
            assertTrue(lock.locked());
            return null;
        });
    }

    /** release() without waiters unlocks. */
    @Test
    @DisplayName("test_release_no_waiters")
    void testReleaseNoWaiters() {
        Asyncio.run(() -> {
            Lock lock = new Lock();
            lock.acquire();
            assertTrue(lock.locked());
            lock.release();
            assertFalse(lock.locked());
            return null;
        });
    }

    /**
     * A waiter whose timeout block expires at the moment of a release gets the TimeoutError, the
     * block's form of the cancellation, and still passes the wake-up on to the next waiter.
     */
    @Test
    void waiterTimedOutAtReleasePassesItOn() {
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            Lock lock = new Lock();
            lock.acquire();
            Timeout[] block = new Timeout[1];
            Task<Void> t1 = Asyncio.createTask(() -> {
                try (Timeout t = Asyncio.timeout()) {
                    block[0] = t;
                    lock.acquire();
                }
            });
            Task<Boolean> t2 = Asyncio.createTask(lock::acquire);
            Asyncio.sleep(Duration.ZERO);
            loop.callSoon(() -> {
                block[0].reschedule(loop.time() - 1);     // expires t1's block: called soon
                lock.release();                            // wakes t1, which is then cancelled
            });
            assertThrows(dev.pyconc.builtins.TimeoutError.class, t1::await);
            assertTrue(t2.await());
            assertTrue(lock.locked());
            return null;
        });
    }

    /** Releasing an unheld lock is refused. */
    @Test
    void releaseUnheld() {
        Asyncio.run(() -> {
            var e = assertThrows(IllegalStateException.class, () -> new Lock().release());
            assertEquals("Lock is not acquired.", e.getMessage());
            return null;
        });
    }

    /** A lock that made a task wait on one loop refuses to make one wait on another (Python's loop binding). */
    @Test
    void boundToOneLoop() {
        Lock lock = new Lock();
        Asyncio.run(() -> {
            lock.acquire();
            Task<Boolean> waiter = Asyncio.createTask(lock::acquire);
            Asyncio.sleep(Duration.ZERO);
            lock.release();
            waiter.await();
            lock.release();
            return null;
        });
        var e = assertThrows(IllegalStateException.class, () -> Asyncio.run(() -> {
            lock.acquire();
            return Asyncio.createTask(lock::acquire).await();
        }));
        assertTrue(e.getMessage().contains("different event loop"), e.getMessage());
    }
}
