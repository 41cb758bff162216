package dev.pyconc.conformance.asyncio.testlocks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.BoundedSemaphore;
import dev.pyconc.asyncio.CancelledError;
import dev.pyconc.asyncio.Condition;
import dev.pyconc.asyncio.Event;
import dev.pyconc.asyncio.EventLoop;
import dev.pyconc.asyncio.Future;
import dev.pyconc.asyncio.Lock;
import dev.pyconc.asyncio.Semaphore;
import dev.pyconc.asyncio.Task;
import dev.pyconc.conformance.asyncio.IsolatedAsyncioTestCase;

/**
 * test_asyncio/test_locks.py's {@code LockTests}. CPython's {@code lock._waiters} is private; its
 * length is what {@code toString()} shows as {@code waiters=n}, as CPython's repr shows
 * {@code waiters:n}.
 */
public class LockTests extends IsolatedAsyncioTestCase {

    /** The number of waiters a primitive's toString shows (0 when it shows none). */
    static int waiters(Object primitive) {
        String s = primitive.toString();
        int i = s.lastIndexOf("waiters=");
        if (i < 0) {
            return 0;
        }
        int end = i + "waiters=".length();
        while (end < s.length() && Character.isDigit(s.charAt(end))) {
            end++;
        }
        return Integer.parseInt(s.substring(i + "waiters=".length(), end));
    }

    /**
     * Whether {@code type} is awaitable: in pyconc what a task awaits is a {@link Future} (Python's
     * objects with {@code __await__}); a primitive's own {@code await()} is Python's {@code wait()}.
     */
    static boolean awaitable(Class<?> type) {
        return Future.class.isAssignableFrom(type);
    }

    /** toString says unlocked, then locked. */
    @Test
    @DisplayName("test_repr")
    void testRepr() {
        run(() -> {
            Lock lock = new Lock();
            assertTrue(lock.toString().endsWith("[unlocked]"), lock.toString());
            lock.acquire();
            assertTrue(lock.toString().endsWith("[locked]"), lock.toString());
        });
    }

    /**
     * {@code await lock} is a TypeError: the Java form is that a Lock is no Future, so it cannot be
     * awaited; a new lock is not locked.
     */
    @Test
    @DisplayName("test_lock")
    void testLock() {
        run(() -> {
            Lock lock = new Lock();
            assertFalse(awaitable(Lock.class));
            assertFalse(lock.locked());
        });
    }

    /** No primitive's constructor takes a loop (CPython's loop= argument is a TypeError since 3.10). */
    @Test
    @DisplayName("test_lock_doesnt_accept_loop_parameter")
    void testLockDoesntAcceptLoopParameter() {
        for (Class<?> cls : List.of(Lock.class, Condition.class, Event.class, Semaphore.class, BoundedSemaphore.class)) {
            for (Constructor<?> c : cls.getConstructors()) {
                for (Class<?> p : c.getParameterTypes()) {
                    assertFalse(EventLoop.class.isAssignableFrom(p), c.toString());
                }
            }
        }
    }

    /** {@code with await lock} is a TypeError: no primitive can be awaited, and none is left locked. */
    @Test
    @DisplayName("test_lock_by_with_statement")
    void testLockByWithStatement() {
        run(() -> {
            List<Object> primitives = List.of(new Lock(), new Condition(), new Semaphore(), new BoundedSemaphore());
            for (Object lock : primitives) {
                sleep(0.01);
                assertFalse(locked(lock));
                assertFalse(awaitable(lock.getClass()), lock.getClass().getName());
                assertFalse(locked(lock));
            }
        });
    }

    static boolean locked(Object primitive) {
        return switch (primitive) {
            case Lock l -> l.locked();
            case Condition c -> c.locked();
            case Semaphore s -> s.locked();
            default -> throw new IllegalArgumentException(primitive.toString());
        };
    }

    /** Three tasks take the lock one release each, in the order they asked. */
    @Test
    @DisplayName("test_acquire")
    void testAcquire() {
        run(() -> {
            Lock lock = new Lock();
            List<Integer> result = new ArrayList<>();
            assertTrue(lock.acquire());
            Task<Boolean> t1 = Asyncio.createTask(() -> {
                if (lock.acquire()) {
                    result.add(1);
                }
                return true;
            });
            Task<Boolean> t2 = Asyncio.createTask(() -> {
                if (lock.acquire()) {
                    result.add(2);
                }
                return true;
            });
            sleep0();
            assertEquals(List.of(), result);
            lock.release();
            sleep0();
            assertEquals(List.of(1), result);
            sleep0();
            assertEquals(List.of(1), result);
            Task<Boolean> t3 = Asyncio.createTask(() -> {
                if (lock.acquire()) {
                    result.add(3);
                }
                return true;
            });
            lock.release();
            sleep0();
            assertEquals(List.of(1, 2), result);
            lock.release();
            sleep0();
            assertEquals(List.of(1, 2, 3), result);
            for (Task<Boolean> t : List.of(t1, t2, t3)) {
                assertTrue(t.done());
                assertTrue(t.result());
            }
        });
    }

    /** A task cancelled in acquire() raises CancelledError and leaves no waiter. */
    @Test
    @DisplayName("test_acquire_cancel")
    void testAcquireCancel() {
        run(() -> {
            Lock lock = new Lock();
            assertTrue(lock.acquire());
            Task<Boolean> task = Asyncio.createTask(lock::acquire);
            Asyncio.getRunningLoop().callSoon(() -> task.cancel());
            assertThrows(CancelledError.class, task::await);
            assertEquals(0, waiters(lock));
        });
    }

    /** B is cancelled as A releases: release passes B's cancelled waiter by and C gets the lock. */
    @Test
    @DisplayName("test_cancel_race")
    void testCancelRace() {
        run(() -> {
            Lock lock = new Lock();
            Future<Object> fa = Asyncio.getRunningLoop().createFuture();
            Task<Void> ta = Asyncio.createTask(() -> lockit(lock, fa));
            sleep0();
            assertTrue(lock.locked());
            Task<Void> tb = Asyncio.createTask(() -> lockit(lock, null));
            sleep0();
            assertEquals(1, waiters(lock));
            Task<Void> tc = Asyncio.createTask(() -> lockit(lock, null));
            sleep0();
            assertEquals(2, waiters(lock));
            fa.setResult(null);
            tb.cancel();
            sleep0();
            assertFalse(lock.locked());
            assertTrue(ta.done());
            assertTrue(tb.cancelled());
            tc.await();
        });
    }

    private static void lockit(Lock lock, Future<Object> blocker) {
        lock.acquire();
        try {
            if (blocker != null) {
                blocker.await();
            }
        } finally {
            lock.release();
        }
    }

    /** bpo-32734: four tasks, the second cancelled as the first releases: only one more takes the lock. */
    @Test
    @DisplayName("test_cancel_release_race")
    void testCancelReleaseRace() {
        run(() -> {
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
            sleep0();
            loop.callSoon(() -> {
                t1.cancel();
                lock.release();
            });
            assertThrows(CancelledError.class, t1::await);
            assertEquals(1, lockCount[0]);
            assertEquals(3, callCount[0]);
            assertTrue(t1.cancelled() && t2.done());
            t3.cancel();
            sleep0();
            assertTrue(t3.cancelled());
        });
    }

    /** A waiter woken and then cancelled passes the lock on to the next waiter. */
    @Test
    @DisplayName("test_finished_waiter_cancelled")
    void testFinishedWaiterCancelled() {
        run(() -> {
            Lock lock = new Lock();
            lock.acquire();
            assertTrue(lock.locked());
            Task<Boolean> tb = Asyncio.createTask(lock::acquire);
            sleep0();
            assertEquals(1, waiters(lock));
            Task<Boolean> tc = Asyncio.createTask(lock::acquire);
            tb.cancel();
            lock.release();
            sleep0();
            assertTrue(lock.locked());
            assertTrue(tb.cancelled());
            tc.await();
        });
    }

    /** Releasing a lock nobody holds is Python's RuntimeError: IllegalStateException. */
    @Test
    @DisplayName("test_release_not_acquired")
    void testReleaseNotAcquired() {
        run(() -> {
            Lock lock = new Lock();
            assertThrows(IllegalStateException.class, lock::release);
        });
    }

    /** release() without waiters leaves the lock free. */
    @Test
    @DisplayName("test_release_no_waiters")
    void testReleaseNoWaiters() {
        run(() -> {
            Lock lock = new Lock();
            lock.acquire();
            assertTrue(lock.locked());
            lock.release();
            assertFalse(lock.locked());
        });
    }

    /** {@code async with lock}: enter() holds the lock until the block ends. */
    @Test
    @DisplayName("test_context_manager")
    void testContextManager() {
        run(() -> {
            Lock lock = new Lock();
            assertFalse(lock.locked());
            try (var _ = lock.enter()) {
                assertTrue(lock.locked());
            }
            assertFalse(lock.locked());
        });
    }
}
