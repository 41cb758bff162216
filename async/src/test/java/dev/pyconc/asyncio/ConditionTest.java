package dev.pyconc.asyncio;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.builtins.TimeoutError;

@org.junit.jupiter.api.Timeout(60)
class ConditionTest extends LoopTesting {

    /** A consumer waits for items with waitFor; each signal wakes one waiter. */
    @Test
    void producerConsumer() {
        List<Integer> got = new ArrayList<>();
        Asyncio.run(() -> {
            Condition cond = new Condition();
            ArrayDeque<Integer> items = new ArrayDeque<>();
            Task<Void> consumer = Asyncio.createTask(() -> {
                for (int i = 0; i < 5; i++) {
                    try (var _ = cond.enter()) {
                        assertTrue(cond.waitFor(() -> !items.isEmpty()));
                        got.add(items.poll());
                    }
                }
            });
            for (int i = 0; i < 5; i++) {
                Asyncio.sleep(Duration.ZERO);
                try (var _ = cond.enter()) {
                    items.add(i);
                    cond.signal();
                }
            }
            consumer.await();
            return null;
        });
        assertEquals(List.of(0, 1, 2, 3, 4), got);
    }

    /** signal(n) wakes n waiters in FIFO order; signalAll wakes the rest. */
    @Test
    void signalCounts() {
        List<Integer> order = new ArrayList<>();
        Asyncio.run(() -> {
            Condition cond = new Condition();
            List<Task<Void>> ts = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int k = i;
                ts.add(Asyncio.createTask(() -> {
                    try (var _ = cond.enter()) {
                        cond.await();
                        order.add(k);
                    }
                }));
            }
            Asyncio.sleep(Duration.ZERO);
            try (var _ = cond.enter()) {
                cond.signal(2);
            }
            Asyncio.sleep(Duration.ofMillis(5));
            assertEquals(List.of(0, 1), order);
            try (var _ = cond.enter()) {
                cond.signalAll();
            }
            Asyncio.gather(ts).await();
            return null;
        });
        assertEquals(List.of(0, 1, 2, 3), order);
    }

    /** await and signal without the lock are refused. */
    @Test
    void withoutLock() {
        Asyncio.run(() -> {
            Condition cond = new Condition();
            assertEquals("cannot wait on un-acquired lock", assertThrows(IllegalStateException.class, cond::await).getMessage());
            assertThrows(IllegalStateException.class, cond::signal);
            return null;
        });
    }

    /** A cancelled waiter re-acquires the lock before the CancelledError leaves await. */
    @Test
    void cancelledWaiterHoldsLockAgain() {
        List<String> log = new ArrayList<>();
        Asyncio.run(() -> {
            Lock lock = new Lock();
            Condition cond = new Condition(lock);
            Task<Void> t = Asyncio.createTask(() -> {
                try (var _ = cond.enter()) {
                    try {
                        cond.await();
                    } catch (CancelledError e) {
                        log.add("locked in handler: " + lock.locked());
                        throw e;
                    }
                }
            });
            Asyncio.sleep(Duration.ZERO);
            t.cancel();
            assertThrows(CancelledError.class, t::await);
            assertFalse(lock.locked());
            return null;
        });
        assertEquals(List.of("locked in handler: true"), log);
    }

    /** A cancellation received while waiting to be woken leaves await() as the very exception raised. */
    @Test
    @DisplayName("test_cancelled_error_wakeup")
    void testCancelledErrorWakeup() {
        Asyncio.run(() -> {
            Condition cond = new Condition();
            CancelledError[] raised = new CancelledError[1];
            Task<Void> task = Asyncio.createTask(() -> {
                try (var _ = cond.enter()) {
                    raised[0] = assertThrows(CancelledError.class, () -> cond.waitFor(() -> false));
                    throw raised[0];
                }
            });
            Asyncio.sleep(Duration.ZERO);
            task.cancel("foo");
            CancelledError err = assertThrows(CancelledError.class, task::await);
            assertEquals("foo", err.getMessage());
            assertSame(raised[0], err);
            return null;
        });
    }

    /** A cancellation received while re-acquiring the lock leaves await() as the very exception raised. */
    @Test
    @DisplayName("test_cancelled_error_re_aquire")
    void testCancelledErrorReAquire() {
        Asyncio.run(() -> {
            Condition cond = new Condition();
            boolean[] wake = {false};
            CancelledError[] raised = new CancelledError[1];
            Task<Void> task = Asyncio.createTask(() -> {
                try (var _ = cond.enter()) {
                    raised[0] = assertThrows(CancelledError.class, () -> cond.waitFor(() -> wake[0]));
                    throw raised[0];
                }
            });
            Asyncio.sleep(Duration.ZERO);
            cond.acquire();
            wake[0] = true;
            cond.signal();
            Asyncio.sleep(Duration.ZERO);      // the task now waits for the lock
            task.cancel("foo");
            cond.release();
            CancelledError err = assertThrows(CancelledError.class, task::await);
            assertEquals("foo", err.getMessage());
            assertSame(raised[0], err);
            assertFalse(cond.locked());
            return null;
        });
    }

    /** A consumer signalled and cancelled before it runs does not lose the signal: the other consumer takes the item. */
    @Test
    @DisplayName("test_cancelled_wakeup")
    void testCancelledWakeup() {
        cancelledWakeup(false);
    }

    /** A consumer signalled and cancelled while it waits for the lock again does not lose the signal. */
    @Test
    @DisplayName("test_cancelled_wakeup_relock")
    void testCancelledWakeupRelock() {
        cancelledWakeup(true);
    }

    private void cancelledWakeup(boolean relock) {
        Asyncio.run(() -> {
            Condition condition = new Condition();
            int[] state = {0};
            List<Task<Void>> c = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                c.add(Asyncio.createTask(() -> {
                    try (var _ = condition.enter()) {
                        while (true) {
                            condition.waitFor(() -> state[0] != 0);
                            if (state[0] < 0) {
                                return;
                            }
                            state[0]--;
                        }
                    }
                }));
            }
            Asyncio.sleep(Duration.ZERO);
            try (var _ = condition.enter()) {
                state[0]++;
                condition.signal(1);
                if (relock) {
                    Asyncio.sleep(Duration.ZERO);  // the consumer woke and waits for the lock
                }
                c.getFirst().cancel();
                try (var _ = Asyncio.timeout(Duration.ofSeconds(5))) {
                    condition.waitFor(() -> state[0] == 0);
                } catch (TimeoutError e) {
                    // the assertion below says what went wrong
                }
                assertEquals(0, state[0], "the item was not consumed: the signal was lost to the cancellation");
                state[0] = -1;
                condition.signalAll();
            }
            c.get(1).await();
            assertTrue(c.getFirst().cancelled());
            return null;
        });
    }

    /** Signalled, then cancelled while the lock is contested: the waiter ends cancelled, holding nothing. */
    @Test
    @DisplayName("test_wait_cancel_after_notify")
    void testWaitCancelAfterNotify() {
        Asyncio.run(() -> {
            Condition cond = new Condition();
            boolean[] waited = {false};
            Task<Void> waiter = Asyncio.createTask(() -> {
                try (var _ = cond.enter()) {
                    waited[0] = true;
                    cond.await();
                }
            });
            Asyncio.sleep(Duration.ZERO);
            cond.acquire();
            cond.signal();
            Asyncio.sleep(Duration.ZERO);      // the waiter goes to acquire()
            waiter.cancel();
            Asyncio.sleep(Duration.ZERO);      // the cancellation arrives
            cond.release();
            Asyncio.sleep(Duration.ZERO);
            assertTrue(waiter.cancelled());
            assertTrue(waited[0]);
            assertFalse(cond.locked());
            return null;
        });
    }

    /** waitFor(cond::await, timeout) inside the condition's block times out and leaves the lock held (Python 3.12's waitFor). */
    @Test
    @DisplayName("test_timeout_in_block")
    void testTimeoutInBlock() {
        Asyncio.run(() -> {
            Condition condition = new Condition();
            try (var _ = condition.enter()) {
                assertThrows(TimeoutError.class, () -> Asyncio.waitFor(condition::await, Duration.ofMillis(500)));
                assertTrue(condition.locked());
            }
            assertFalse(condition.locked());
            return null;
        });
    }

    /**
     * A waiter whose timeout block expires while it waits for the lock again: it takes the lock
     * back before the TimeoutError leaves, and the signal goes to another waiter.
     */
    @Test
    void timeoutWhileReacquiring() {
        List<String> log = new ArrayList<>();
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            Condition cond = new Condition();
            Timeout[] block = new Timeout[1];
            Task<Void> a = Asyncio.createTask(() -> {
                try (var _ = cond.enter()) {
                    try (Timeout t = Asyncio.timeout()) {
                        block[0] = t;
                        cond.await();
                    } catch (TimeoutError e) {
                        log.add("a: timed out, lock held " + cond.locked());
                    }
                }
            });
            Task<Void> b = Asyncio.createTask(() -> {
                try (var _ = cond.enter()) {
                    cond.await();
                    log.add("b: signalled");
                }
            });
            Asyncio.sleep(Duration.ZERO);
            try (var _ = cond.enter()) {
                cond.signal();                          // meant for a
                Asyncio.sleep(Duration.ZERO);           // a woke and waits for the lock
                block[0].reschedule(loop.time() - 1);   // a's block expires while a waits for the lock
                Asyncio.sleep(Duration.ZERO);
            }
            Asyncio.gather(a, b).await();
            assertFalse(cond.locked());
            return null;
        });
        assertEquals(List.of("a: timed out, lock held true", "b: signalled"), log);
    }

    /** A waiter signalled and then cancelled passes the signal to another waiter. */
    @Test
    void signalNotLostToCancellation() {
        List<String> log = new ArrayList<>();
        Asyncio.run(() -> {
            Condition cond = new Condition();
            Task<Void> a = Asyncio.createTask(() -> {
                try (var _ = cond.enter()) {
                    cond.await();
                    log.add("a");
                }
            });
            Task<Void> b = Asyncio.createTask(() -> {
                try (var _ = cond.enter()) {
                    cond.await();
                    log.add("b");
                }
            });
            Asyncio.sleep(Duration.ZERO);
            try (var _ = cond.enter()) {
                cond.signal();        // meant for a
            }
            a.cancel();               // a is cancelled before it runs
            Asyncio.gather(true, List.of(a, b)).await();
            return null;
        });
        assertEquals(List.of("b"), log);
    }
}
