package dev.pyconc.conformance.asyncio.testlocks;

import static dev.pyconc.conformance.asyncio.testlocks.LockTests.awaitable;
import static dev.pyconc.conformance.asyncio.testlocks.LockTests.waiters;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.BoundedSemaphore;
import dev.pyconc.asyncio.CancelledError;
import dev.pyconc.asyncio.Semaphore;
import dev.pyconc.asyncio.Task;
import dev.pyconc.asyncio.TaskGroup;
import dev.pyconc.conformance.asyncio.IsolatedAsyncioTestCase;

/**
 * test_asyncio/test_locks.py's {@code SemaphoreTests}. CPython reads the private {@code _value};
 * pyconc's toString shows it as {@code value=n}, as CPython's repr shows {@code value:n}.
 * BoundedSemaphore's release beyond its bound, Python's ValueError, is IllegalStateException
 * (docs/exceptions.md: a misuse of a state).
 */
public class SemaphoreTests extends IsolatedAsyncioTestCase {

    /** The semaphore's free permits, CPython's {@code _value}, as its toString shows them. */
    static int value(Semaphore sem) {
        String s = sem.toString();
        int i = s.indexOf("value=") + "value=".length();
        int end = i;
        while (end < s.length() && Character.isDigit(s.charAt(end))) {
            end++;
        }
        return Integer.parseInt(s.substring(i, end));
    }

    /** A semaphore of 0 is locked. */
    @Test
    @DisplayName("test_initial_value_zero")
    void testInitialValueZero() {
        Semaphore sem = new Semaphore(0);
        assertTrue(sem.locked());
    }

    /** toString says unlocked with the value, or locked, and the number of waiters. */
    @Test
    @DisplayName("test_repr")
    void testRepr() {
        run(() -> {
            Semaphore sem = new Semaphore();
            assertTrue(sem.toString().endsWith("[unlocked value=1]"), sem.toString());
            sem.acquire();
            assertTrue(sem.toString().contains("[locked"), sem.toString());
            assertFalse(sem.toString().contains("waiters"), sem.toString());
            Task<Boolean> w1 = Asyncio.createTask(sem::acquire);
            sleep0();
            assertTrue(sem.toString().contains("waiters=1"), sem.toString());
            Task<Boolean> w2 = Asyncio.createTask(sem::acquire);
            sleep0();
            assertTrue(sem.toString().contains("waiters=2"), sem.toString());
            w1.cancel();
            w2.cancel();
            Asyncio.gather(true, List.of(w1, w2)).await();
        });
    }

    /** A Semaphore is no Future (await sem is a TypeError); a new one has one permit. */
    @Test
    @DisplayName("test_semaphore")
    void testSemaphore() {
        run(() -> {
            Semaphore sem = new Semaphore();
            assertEquals(1, value(sem));
            assertFalse(awaitable(Semaphore.class));
            assertFalse(sem.locked());
            assertEquals(1, value(sem));
        });
    }

    /** A negative value is Python's ValueError: IllegalArgumentException. */
    @Test
    @DisplayName("test_semaphore_value")
    void testSemaphoreValue() {
        assertThrows(IllegalArgumentException.class, () -> new Semaphore(-1));
    }

    /** Semaphore(3): two taken, then of four tasks one takes the last permit, two releases admit two more. */
    @Test
    @DisplayName("test_acquire")
    void testAcquire() {
        run(() -> {
            Semaphore sem = new Semaphore(3);
            List<Integer> result = new ArrayList<>();
            assertTrue(sem.acquire());
            assertTrue(sem.acquire());
            assertFalse(sem.locked());
            Task<Boolean> t1 = acquirer(sem, result, 1);
            Task<Boolean> t2 = acquirer(sem, result, 2);
            Task<Boolean> t3 = acquirer(sem, result, 3);
            sleep0();
            assertEquals(List.of(1), result);
            assertTrue(sem.locked());
            assertEquals(2, waiters(sem));
            assertEquals(0, value(sem));
            Task<Boolean> t4 = acquirer(sem, result, 4);
            sem.release();
            sem.release();
            assertEquals(0, value(sem));
            sleep0();
            assertEquals(0, value(sem));
            assertEquals(3, result.size());
            assertTrue(sem.locked());
            assertEquals(1, waiters(sem));
            assertEquals(0, value(sem));
            assertTrue(t1.done());
            assertTrue(t1.result());
            List<Task<Boolean>> raceTasks = List.of(t2, t3, t4);
            assertEquals(2, raceTasks.stream().filter(t -> t.done() && t.result()).count());
            sem.release();
            Asyncio.gather(raceTasks).await();
        });
    }

    private static Task<Boolean> acquirer(Semaphore sem, List<Integer> result, int tag) {
        return Asyncio.createTask(() -> {
            sem.acquire();
            result.add(tag);
            return true;
        });
    }

    /** A task cancelled in acquire() raises CancelledError and leaves no waiter that is not done. */
    @Test
    @DisplayName("test_acquire_cancel")
    void testAcquireCancel() {
        run(() -> {
            Semaphore sem = new Semaphore();
            sem.acquire();
            Task<Boolean> acquire = Asyncio.createTask(sem::acquire);
            Asyncio.getRunningLoop().callSoon(() -> acquire.cancel());
            assertThrows(CancelledError.class, acquire::await);
            assertEquals(0, waiters(sem));
        });
    }

    /** Two of four waiters cancelled before a release: exactly the third is woken. */
    @Test
    @DisplayName("test_acquire_cancel_before_awoken")
    void testAcquireCancelBeforeAwoken() {
        run(() -> {
            Semaphore sem = new Semaphore(0);
            Task<Boolean> t1 = Asyncio.createTask(sem::acquire);
            Task<Boolean> t2 = Asyncio.createTask(sem::acquire);
            Task<Boolean> t3 = Asyncio.createTask(sem::acquire);
            Task<Boolean> t4 = Asyncio.createTask(sem::acquire);
            sleep0();
            t1.cancel();
            t2.cancel();
            sem.release();
            sleep0();
            sleep0();
            assertEquals(1, (t3.done() ? 1 : 0) + (t4.done() ? 1 : 0));
            assertTrue(t3.done());
            assertFalse(t4.done());
            t3.cancel();
            t4.cancel();
            sleep0();
        });
    }

    /** A waiter cancelled as the release comes does not keep the permit from the next one. */
    @Test
    @DisplayName("test_acquire_hang")
    void testAcquireHang() {
        run(() -> {
            Semaphore sem = new Semaphore(0);
            Task<Boolean> t1 = Asyncio.createTask(sem::acquire);
            Task<Boolean> t2 = Asyncio.createTask(sem::acquire);
            sleep0();
            t1.cancel();
            sem.release();
            sleep0();
            sleep0();
            assertTrue(sem.locked());
            assertTrue(t2.done());
        });
    }

    /** A waiter woken and then cancelled gives its permit back: the semaphore can be acquired after. */
    @Test
    @DisplayName("test_acquire_no_hang")
    void testAcquireNoHang() {
        run(() -> {
            Semaphore sem = new Semaphore(1);
            @SuppressWarnings("unchecked")
            Task<Void>[] t2 = new Task[1];
            Task<Void> t1 = Asyncio.createTask(() -> {
                try (var _ = sem.enter()) {
                    sleep0();
                }
                t2[0].cancel();
            });
            t2[0] = Asyncio.createTask(() -> {
                try (var _ = sem.enter()) {
                    assertFalse(true);
                }
            });
            List<Object> r = Asyncio.gather(true, List.of(t1, t2[0])).await();
            assertNull(r.get(0));
            assertInstanceOf(CancelledError.class, r.get(1));
            Asyncio.waitFor(sem::acquire, Duration.ofSeconds(1));
        });
    }

    /** Releasing a BoundedSemaphore at its bound is IllegalStateException. */
    @Test
    @DisplayName("test_release_not_acquired")
    void testReleaseNotAcquired() {
        BoundedSemaphore sem = new BoundedSemaphore();
        assertThrows(IllegalStateException.class, sem::release);
    }

    /** release() without waiters frees the semaphore. */
    @Test
    @DisplayName("test_release_no_waiters")
    void testReleaseNoWaiters() {
        run(() -> {
            Semaphore sem = new Semaphore();
            sem.acquire();
            assertTrue(sem.locked());
            sem.release();
            assertFalse(sem.locked());
        });
    }

    /** Three tasks of a TaskGroup take the semaphore twice each, in FIFO order. */
    @Test
    @DisplayName("test_acquire_fifo_order")
    void testAcquireFifoOrder() {
        run(() -> {
            Semaphore sem = new Semaphore(1);
            List<String> result = new ArrayList<>();
            TaskGroup.run(tg -> {
                for (String tag : List.of("c1", "c2", "c3")) {
                    tg.createTask(() -> {
                        sem.acquire();
                        result.add(tag + "_1");
                        sleep(0.01);
                        sem.release();
                        sem.acquire();
                        result.add(tag + "_2");
                        sleep(0.01);
                        sem.release();
                    });
                }
            });
            assertEquals(List.of("c1_1", "c2_1", "c3_1", "c1_2", "c2_2", "c3_2"), result);
        });
    }

    /** A task that releases and re-acquires queues behind the tasks already waiting. */
    @Test
    @DisplayName("test_acquire_fifo_order_2")
    void testAcquireFifoOrder2() {
        run(() -> {
            Semaphore sem = new Semaphore(1);
            List<Integer> result = new ArrayList<>();
            Task<Boolean> t1 = acquirer(sem, result, 1);
            Task<Boolean> t2 = Asyncio.createTask(() -> {
                sem.acquire();
                result.add(2);
                sem.release();
                sem.acquire();
                result.add(4);
                return true;
            });
            Task<Boolean> t3 = acquirer(sem, result, 3);
            sleep0();
            sem.release();
            sem.release();
            Asyncio.gather(List.of(t1, t2, t3)).await();
            assertEquals(List.of(1, 2, 3, 4), result);
        });
    }

    /** A cancelled waiter is passed by: the two releases go to the second and third. */
    @Test
    @DisplayName("test_acquire_fifo_order_3")
    void testAcquireFifoOrder3() {
        run(() -> {
            Semaphore sem = new Semaphore(0);
            List<Integer> result = new ArrayList<>();
            Task<Boolean> t1 = acquirer(sem, result, 1);
            Task<Boolean> t2 = acquirer(sem, result, 2);
            Task<Boolean> t3 = acquirer(sem, result, 3);
            sleep0();
            t1.cancel();
            sleep0();
            sem.release();
            sem.release();
            Asyncio.gather(true, List.of(t1, t2, t3)).await();
            assertEquals(List.of(2, 3), result);
        });
    }

    /** Three releases wake three waiters in FIFO order; a task created by the first runs after them. */
    @Test
    @DisplayName("test_acquire_fifo_order_4")
    void testAcquireFifoOrder4() {
        run(() -> {
            Semaphore sem = new Semaphore(0);
            List<Integer> result = new ArrayList<>();
            @SuppressWarnings("unchecked")
            Task<Boolean>[] t4 = new Task[1];
            Task<Boolean> t1 = Asyncio.createTask(() -> {
                assertEquals(0, value(sem));
                sem.acquire();
                assertEquals(0, value(sem));
                t4[0] = Asyncio.createTask(() -> {
                    result.add(4);
                    return true;
                });
                result.add(1);
                return true;
            });
            Task<Boolean> t2 = Asyncio.createTask(() -> {
                sem.release();
                sem.release();
                sem.release();
                assertEquals(2, value(sem));
                assertTrue(sem.locked());
                sem.acquire();
                result.add(2);
                return true;
            });
            Task<Boolean> t3 = Asyncio.createTask(() -> {
                sem.acquire();
                assertTrue(sem.locked());
                result.add(3);
                return true;
            });
            sleep0();
            assertEquals(2, value(sem));
            assertEquals(3, waiters(sem));
            sleep0();
            Asyncio.gather(List.of(t1, t2, t3, t4[0])).await();
            assertEquals(List.of(1, 2, 3, 4), result);
        });
    }
}
