package dev.pyconc.conformance.asyncio.testlocks;

import static dev.pyconc.conformance.asyncio.testlocks.LockTests.waiters;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.CancelledError;
import dev.pyconc.asyncio.Condition;
import dev.pyconc.asyncio.EventLoop;
import dev.pyconc.asyncio.Lock;
import dev.pyconc.asyncio.Task;
import dev.pyconc.builtins.TimeoutError;
import dev.pyconc.conformance.asyncio.IsolatedAsyncioTestCase;

/**
 * test_asyncio/test_locks.py's {@code ConditionTests}. Python's {@code notify} is {@code signal}
 * and {@code wait} is {@code await}; RuntimeError is IllegalStateException.
 */
public class ConditionTests extends IsolatedAsyncioTestCase {

    /** A task that takes the lock, waits, appends {@code tag} and, if {@code release}, lets go of the lock. */
    private static Task<Boolean> waiter(Condition cond, List<Integer> result, int tag, boolean release) {
        return Asyncio.createTask(() -> {
            cond.acquire();
            if (cond.await()) {
                result.add(tag);
                if (release) {
                    cond.release();
                }
            }
            return true;
        });
    }

    /** signal(n) wakes n waiters, each of which runs once it gets the lock back. */
    @Test
    @DisplayName("test_wait")
    void testWait() {
        run(() -> {
            Condition cond = new Condition();
            List<Integer> result = new ArrayList<>();
            Task<Boolean> t1 = waiter(cond, result, 1, false);
            Task<Boolean> t2 = waiter(cond, result, 2, false);
            Task<Boolean> t3 = waiter(cond, result, 3, false);
            sleep0();
            assertEquals(List.of(), result);
            assertFalse(cond.locked());
            assertTrue(cond.acquire());
            cond.signal();
            sleep0();
            assertEquals(List.of(), result);
            assertTrue(cond.locked());
            cond.release();
            sleep0();
            assertEquals(List.of(1), result);
            assertTrue(cond.locked());
            cond.signal(2);
            sleep0();
            assertEquals(List.of(1), result);
            assertTrue(cond.locked());
            cond.release();
            sleep0();
            assertEquals(List.of(1, 2), result);
            assertTrue(cond.locked());
            cond.release();
            sleep0();
            assertEquals(List.of(1, 2, 3), result);
            assertTrue(cond.locked());
            for (Task<Boolean> t : List.of(t1, t2, t3)) {
                assertTrue(t.done());
                assertTrue(t.result());
            }
        });
    }

    /** A waiter cancelled in await() raises CancelledError, leaves no waiter and holds the lock again. */
    @Test
    @DisplayName("test_wait_cancel")
    void testWaitCancel() {
        run(() -> {
            Condition cond = new Condition();
            cond.acquire();
            Task<Boolean> wait = Asyncio.createTask(cond::await);
            Asyncio.getRunningLoop().callSoon(() -> wait.cancel());
            assertThrows(CancelledError.class, wait::await);
            assertEquals(0, waiters(cond));
            assertTrue(cond.locked());
        });
    }

    /** A signalled waiter cancelled while the lock is contested still ends holding the lock. */
    @Test
    @DisplayName("test_wait_cancel_contested")
    void testWaitCancelContested() {
        run(() -> {
            Condition cond = new Condition();
            cond.acquire();
            assertTrue(cond.locked());
            Task<Boolean> waitTask = Asyncio.createTask(cond::await);
            sleep0();
            assertFalse(cond.locked());
            cond.acquire();
            assertTrue(cond.locked());
            cond.signal();
            EventLoop loop = Asyncio.getRunningLoop();
            loop.callSoon(() -> waitTask.cancel());
            loop.callSoon(cond::release);
            try {
                waitTask.await();
            } catch (CancelledError e) {
                // CPython: should not happen, since there is no cancellation point; either way the lock is held
            }
            assertTrue(cond.locked());
        });
    }

    /** bpo-32841: a waiter cancelled while it re-acquires the lock after a signal ends cancelled. */
    @Test
    @DisplayName("test_wait_cancel_after_notify")
    void testWaitCancelAfterNotify() {
        run(() -> {
            boolean[] waited = {false};
            Condition cond = new Condition();
            Task<Void> waiter = Asyncio.createTask(() -> {
                try (var _ = cond.enter()) {
                    waited[0] = true;
                    cond.await();
                }
            });
            sleep0();
            cond.acquire();
            cond.signal();
            sleep0();
            waiter.cancel();
            sleep0();
            cond.release();
            sleep0();
            assertTrue(waiter.cancelled());
            assertTrue(waited[0]);
        });
    }

    /** await() without the lock is Python's RuntimeError: IllegalStateException. */
    @Test
    @DisplayName("test_wait_unacquired")
    void testWaitUnacquired() {
        run(() -> {
            Condition cond = new Condition();
            assertThrows(IllegalStateException.class, cond::await);
        });
    }

    /** waitFor wakes on a signal but returns only once the predicate holds. */
    @Test
    @DisplayName("test_wait_for")
    void testWaitFor() {
        run(() -> {
            Condition cond = new Condition();
            boolean[] presult = {false};
            List<Integer> result = new ArrayList<>();
            Task<Boolean> t = Asyncio.createTask(() -> {
                cond.acquire();
                if (cond.waitFor(() -> presult[0])) {
                    result.add(1);
                    cond.release();
                }
                return true;
            });
            sleep0();
            assertEquals(List.of(), result);
            cond.acquire();
            cond.signal();
            cond.release();
            sleep0();
            assertEquals(List.of(), result);
            presult[0] = true;
            cond.acquire();
            cond.signal();
            cond.release();
            sleep0();
            assertEquals(List.of(1), result);
            assertTrue(t.done());
            assertTrue(t.result());
        });
    }

    /** waitFor returns a true predicate's value without the lock, and waiting without it is IllegalStateException. */
    @Test
    @DisplayName("test_wait_for_unacquired")
    void testWaitForUnacquired() {
        run(() -> {
            Condition cond = new Condition();
            assertTrue(cond.waitFor(() -> true));
            assertThrows(IllegalStateException.class, () -> cond.waitFor(() -> false));
        });
    }

    /** signal(1) wakes one waiter; signal(2048) wakes all the rest. */
    @Test
    @DisplayName("test_notify")
    void testNotify() {
        run(() -> {
            Condition cond = new Condition();
            List<Integer> result = new ArrayList<>();
            Task<Boolean> t1 = waiter(cond, result, 1, true);
            Task<Boolean> t2 = waiter(cond, result, 2, true);
            Task<Boolean> t3 = waiter(cond, result, 3, true);
            sleep0();
            assertEquals(List.of(), result);
            cond.acquire();
            cond.signal(1);
            cond.release();
            sleep0();
            assertEquals(List.of(1), result);
            cond.acquire();
            cond.signal(1);
            cond.signal(2048);
            cond.release();
            sleep0();
            assertEquals(List.of(1, 2, 3), result);
            for (Task<Boolean> t : List.of(t1, t2, t3)) {
                assertTrue(t.done());
                assertTrue(t.result());
            }
        });
    }

    /** signalAll() wakes every waiter. */
    @Test
    @DisplayName("test_notify_all")
    void testNotifyAll() {
        run(() -> {
            Condition cond = new Condition();
            List<Integer> result = new ArrayList<>();
            Task<Boolean> t1 = waiter(cond, result, 1, true);
            Task<Boolean> t2 = waiter(cond, result, 2, true);
            sleep0();
            assertEquals(List.of(), result);
            cond.acquire();
            cond.signalAll();
            cond.release();
            sleep0();
            assertEquals(List.of(1, 2), result);
            for (Task<Boolean> t : List.of(t1, t2)) {
                assertTrue(t.done());
                assertTrue(t.result());
            }
        });
    }

    /** signal() without the lock is IllegalStateException. */
    @Test
    @DisplayName("test_notify_unacquired")
    void testNotifyUnacquired() {
        Condition cond = new Condition();
        assertThrows(IllegalStateException.class, cond::signal);
    }

    /** signalAll() without the lock is IllegalStateException. */
    @Test
    @DisplayName("test_notify_all_unacquired")
    void testNotifyAllUnacquired() {
        Condition cond = new Condition();
        assertThrows(IllegalStateException.class, cond::signalAll);
    }

    /** toString says unlocked, locked and the number of waiters (tasks that wait, where CPython appends mocks). */
    @Test
    @DisplayName("test_repr")
    void testRepr() {
        run(() -> {
            Condition cond = new Condition();
            assertTrue(cond.toString().contains("unlocked"), cond.toString());
            cond.acquire();
            assertTrue(cond.toString().contains("locked"), cond.toString());
            cond.release();
            Task<Boolean> w1 = Asyncio.createTask(() -> {
                try (var _ = cond.enter()) {
                    return cond.await();
                }
            });
            sleep0();
            assertTrue(cond.toString().contains("waiters=1"), cond.toString());
            Task<Boolean> w2 = Asyncio.createTask(() -> {
                try (var _ = cond.enter()) {
                    return cond.await();
                }
            });
            sleep0();
            assertTrue(cond.toString().contains("waiters=2"), cond.toString());
            w1.cancel();
            w2.cancel();
            Asyncio.gather(true, List.of(w1, w2)).await();
        });
    }

    /** enter() holds the condition's lock until the block ends. */
    @Test
    @DisplayName("test_context_manager")
    void testContextManager() {
        run(() -> {
            Condition cond = new Condition();
            assertFalse(cond.locked());
            try (var _ = cond.enter()) {
                assertTrue(cond.locked());
            }
            assertFalse(cond.locked());
        });
    }

    /** A condition on a given lock and the lock are held and let go together, either way they are entered. */
    @Test
    @DisplayName("test_explicit_lock")
    void testExplicitLock() {
        run(() -> {
            explicitLock(null, null);
            explicitLock(new Lock(), null);
            Lock lock = new Lock();
            explicitLock(lock, new Condition(lock));
        });
    }

    private static void explicitLock(Lock lock, Condition cond) {
        if (lock == null) {
            lock = new Lock();
        }
        if (cond == null) {
            cond = new Condition(lock);
        }
        assertFalse(lock.locked());
        assertFalse(cond.locked());
        try (var _ = cond.enter()) {
            assertTrue(lock.locked());
            assertTrue(cond.locked());
        }
        assertFalse(lock.locked());
        assertFalse(cond.locked());
        try (var _ = lock.enter()) {
            assertTrue(lock.locked());
            assertTrue(cond.locked());
        }
        assertFalse(lock.locked());
        assertFalse(cond.locked());
    }

    /**
     * A lock, or a condition, bound to another loop: the wait that discovers it throws
     * IllegalStateException ("is bound to a different event loop"). CPython sets the private
     * {@code _loop}; here the lock and the condition are used by a wait in another loop first.
     * (Passing a loop to the constructors, the TypeError, is test_lock_doesnt_accept_loop_parameter's.)
     */
    @Test
    @DisplayName("test_ambiguous_loops")
    void testAmbiguousLoops() {
        Lock otherLock = new Lock();
        Lock lockOfCond = new Lock();
        Condition[] otherCond = new Condition[1];
        run(() -> {
            otherLock.acquire();
            Task<Boolean> w = Asyncio.createTask(otherLock::acquire);   // binds the lock to this loop
            sleep0();
            otherLock.release();
            w.await();
            otherLock.release();
            otherCond[0] = new Condition(lockOfCond);
            Task<Void> cw = Asyncio.createTask(() -> {
                try (var _ = otherCond[0].enter()) {
                    otherCond[0].await();                              // binds the condition
                }
            });
            sleep0();
            try (var _ = otherCond[0].enter()) {
                otherCond[0].signal();
            }
            cw.await();
        });
        run(() -> {
            // wrong loop in lock
            try (var _ = otherLock.enter()) {          // the fast path: no loop involved
                Condition cond = new Condition(otherLock);
                IllegalStateException e = assertThrows(IllegalStateException.class, cond::acquire);
                assertTrue(e.getMessage().contains("is bound to a different event loop"), e.getMessage());
            }
            // wrong loop in cond
            try (var _ = lockOfCond.enter()) {
                IllegalStateException e = assertThrows(IllegalStateException.class, otherCond[0]::await);
                assertTrue(e.getMessage().contains("is bound to a different event loop"), e.getMessage());
            }
        });
    }

    /** waitFor(cond.await(), 0.5 s) in the condition's block times out with TimeoutError. */
    @Test
    @DisplayName("test_timeout_in_block")
    void testTimeoutInBlock() {
        run(() -> {
            Condition condition = new Condition();
            try (var _ = condition.enter()) {
                assertThrows(TimeoutError.class, () -> Asyncio.waitFor(condition::await, Duration.ofMillis(500)));
            }
        });
    }

    /** The CancelledError a task gets while it waits for a wake-up is the one its await re-raises, message and all. */
    @Test
    @DisplayName("test_cancelled_error_wakeup")
    void testCancelledErrorWakeup() {
        run(() -> {
            boolean[] wake = {false};
            AtomicReference<CancelledError> raised = new AtomicReference<>();
            Condition cond = new Condition();
            Task<Void> task = Asyncio.createTask(() -> cancelledErrorFunc(cond, wake, raised));
            sleep0();
            task.cancel("foo");
            CancelledError err = assertThrows(CancelledError.class, task::await);
            assertEquals("foo", err.getMessage());
            assertSame(raised.get(), err);
        });
    }

    private static void cancelledErrorFunc(Condition cond, boolean[] wake, AtomicReference<CancelledError> raised) {
        try (var _ = cond.enter()) {
            CancelledError e = assertThrows(CancelledError.class, () -> cond.waitFor(() -> wake[0]));
            raised.set(e);
            throw e;
        }
    }

    /** The CancelledError a task gets while it re-acquires the lock is the one its await re-raises. */
    @Test
    @DisplayName("test_cancelled_error_re_aquire")
    void testCancelledErrorReAquire() {
        run(() -> {
            boolean[] wake = {false};
            AtomicReference<CancelledError> raised = new AtomicReference<>();
            Condition cond = new Condition();
            Task<Void> task = Asyncio.createTask(() -> cancelledErrorFunc(cond, wake, raised));
            sleep0();
            cond.acquire();
            wake[0] = true;
            cond.signal();
            sleep0();
            task.cancel("foo");
            cond.release();
            CancelledError err = assertThrows(CancelledError.class, task::await);
            assertEquals("foo", err.getMessage());
            assertSame(raised.get(), err);
        });
    }

    /** Two consumers; the one signalled is cancelled before it runs; the other still consumes the item. */
    @Test
    @DisplayName("test_cancelled_wakeup")
    void testCancelledWakeup() {
        cancelledWakeup(false);
    }

    /** As test_cancelled_wakeup, with the cancellation while the signalled consumer re-acquires the lock. */
    @Test
    @DisplayName("test_cancelled_wakeup_relock")
    void testCancelledWakeupRelock() {
        cancelledWakeup(true);
    }

    private static void cancelledWakeup(boolean relock) {
        run(() -> {
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
                            state[0] -= 1;
                        }
                    }
                }));
            }
            sleep0();
            try (var _ = condition.enter()) {
                state[0] += 1;
                condition.signal(1);
                if (relock) {
                    sleep0();
                }
                c.get(0).cancel();
                try (var _ = Asyncio.timeout(Duration.ofMillis(10))) {
                    condition.waitFor(() -> state[0] == 0);
                } catch (TimeoutError e) {
                    // as CPython: the assertion below tells
                }
                assertEquals(0, state[0]);
                state[0] = -1;
                condition.signalAll();
            }
            c.get(1).await();
        });
    }
}
