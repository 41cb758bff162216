package dev.pyconc.conformance.asyncio.testlocks;

import static dev.pyconc.conformance.asyncio.testlocks.LockTests.awaitable;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.Barrier;
import dev.pyconc.asyncio.BrokenBarrierError;
import dev.pyconc.asyncio.CancelledError;
import dev.pyconc.asyncio.Task;
import dev.pyconc.conformance.asyncio.IsolatedAsyncioTestCase;

/**
 * test_asyncio/test_locks.py's {@code BarrierTests}, with CPython's N = 5 parties (3 where a test
 * sets it). {@code async with barrier as i} is {@code int i = barrier.await()}: a barrier's
 * {@code __aexit__} does nothing.
 */
public class BarrierTests extends IsolatedAsyncioTestCase {
    private static final int N = 5;

    private static <T> List<Task<T>> makeTasks(int n, Callable<T> coro) {
        List<Task<T>> tasks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            tasks.add(Asyncio.createTask(coro));
        }
        return tasks;
    }

    private static <T> List<T> gatherTasks(int n, Callable<T> coro) {
        return Asyncio.gather(makeTasks(n, coro)).await();
    }

    private static List<Boolean> trues(int n) {
        return Collections.nCopies(n, true);
    }

    /** A new barrier is filling and is no Future (await barrier is a TypeError). */
    @Test
    @DisplayName("test_barrier")
    void testBarrier() {
        run(() -> {
            Barrier barrier = new Barrier(N);
            assertTrue(barrier.toString().contains("filling"), barrier.toString());
            assertFalse(awaitable(Barrier.class));
            assertTrue(barrier.toString().contains("filling"), barrier.toString());
        });
    }

    /** toString follows the states: filling with waiters n/N, draining, resetting, broken. */
    @Test
    @DisplayName("test_repr")
    void testRepr() {
        run(() -> {
            Barrier barrier = new Barrier(N);
            assertTrue(barrier.toString().contains("filling"), barrier.toString());
            List<Task<Integer>> waiters = new ArrayList<>();
            int incr = 2;
            for (int i = 0; i < incr; i++) {
                waiters.add(Asyncio.createTask(barrier::await));
            }
            sleep0();
            assertTrue(barrier.toString().contains("waiters=" + incr + "/" + N), barrier.toString());
            assertTrue(barrier.toString().contains("filling"), barrier.toString());
            for (int i = barrier.parties() - barrier.nWaiting(); i > 0; i--) {
                waiters.add(Asyncio.createTask(barrier::await));
            }
            sleep0();
            assertTrue(barrier.toString().contains("draining"), barrier.toString());
            for (int i = 0; i < incr; i++) {
                waiters.add(Asyncio.createTask(barrier::await));
            }
            sleep0();
            barrier.reset();
            assertTrue(barrier.toString().contains("resetting"), barrier.toString());
            for (int i = 0; i < incr; i++) {
                waiters.add(Asyncio.createTask(barrier::await));
            }
            sleep0();
            barrier.abort();
            assertTrue(barrier.toString().contains("broken"), barrier.toString());
            assertTrue(barrier.broken());
            Asyncio.gather(true, waiters).await();
        });
    }

    /** Parties below 1 are Python's ValueError: IllegalArgumentException. */
    @Test
    @DisplayName("test_barrier_parties")
    void testBarrierParties() {
        run(() -> {
            assertThrows(IllegalArgumentException.class, () -> new Barrier(0));
            assertThrows(IllegalArgumentException.class, () -> new Barrier(-4));
            assertEquals(Barrier.class, new Barrier(N).getClass());
        });
    }

    /** Three parties get the indices 0, 1 and 2 and leave the barrier filling and empty. */
    @Test
    @DisplayName("test_context_manager")
    void testContextManager() {
        run(() -> {
            int n = 3;
            Barrier barrier = new Barrier(n);
            List<Integer> results = new ArrayList<>();
            gatherTasks(n, () -> {
                int i = barrier.await();
                results.add(i);
                return null;
            });
            Collections.sort(results);
            assertEquals(List.of(0, 1, 2), results);
            assertEquals(0, barrier.nWaiting());
            assertFalse(barrier.broken());
        });
    }

    /** A barrier of one party passes its one task at once. */
    @Test
    @DisplayName("test_filling_one_task")
    void testFillingOneTask() {
        run(() -> {
            Barrier barrier = new Barrier(1);
            barrier.await();
            boolean ret = true;
            assertTrue(ret);
            assertEquals(0, barrier.nWaiting());
            assertFalse(barrier.broken());
        });
    }

    /** A barrier of one party passes two tasks one after the other, each with index 0. */
    @Test
    @DisplayName("test_filling_one_task_twice")
    void testFillingOneTaskTwice() {
        run(() -> {
            Barrier barrier = new Barrier(1);
            Task<Integer> t1 = Asyncio.createTask(barrier::await);
            sleep0();
            assertEquals(0, barrier.nWaiting());
            Task<Integer> t2 = Asyncio.createTask(barrier::await);
            sleep0();
            assertEquals(t1.result(), t2.result());
            assertEquals(t1.done(), t2.done());
            assertEquals(0, barrier.nWaiting());
            assertFalse(barrier.broken());
        });
    }

    /** Three tasks arrive one by one; the barrier counts them filling, and the third releases all. */
    @Test
    @DisplayName("test_filling_task_by_task")
    void testFillingTaskByTask() {
        run(() -> {
            Barrier barrier = new Barrier(3);
            Task<Integer> t1 = Asyncio.createTask(barrier::await);
            sleep0();
            assertEquals(1, barrier.nWaiting());
            assertTrue(barrier.toString().contains("filling"), barrier.toString());
            Task<Integer> t2 = Asyncio.createTask(barrier::await);
            sleep0();
            assertEquals(2, barrier.nWaiting());
            assertTrue(barrier.toString().contains("filling"), barrier.toString());
            Task<Integer> t3 = Asyncio.createTask(barrier::await);
            sleep0();
            Asyncio.wait(List.of(t1, t2, t3));
            assertEquals(0, barrier.nWaiting());
            assertFalse(barrier.broken());
        });
    }

    /** N tasks pass the barrier twice. */
    @Test
    @DisplayName("test_filling_tasks_wait_twice")
    void testFillingTasksWaitTwice() {
        run(() -> {
            Barrier barrier = new Barrier(N);
            List<Boolean> results = new ArrayList<>();
            gatherTasks(N, () -> {
                barrier.await();
                results.add(true);
                barrier.await();
                results.add(false);
                return null;
            });
            assertEquals(N * 2, results.size());
            assertEquals(N, Collections.frequency(results, true));
            assertEquals(N, Collections.frequency(results, false));
            assertEquals(0, barrier.nWaiting());
            assertFalse(barrier.broken());
        });
    }

    /** The second pass's indices are 0 to N-1. */
    @Test
    @DisplayName("test_filling_tasks_check_return_value")
    void testFillingTasksCheckReturnValue() {
        run(() -> {
            Barrier barrier = new Barrier(N);
            List<Boolean> results1 = new ArrayList<>();
            List<Boolean> results2 = new ArrayList<>();
            List<Integer> res = new ArrayList<>(gatherTasks(N, () -> {
                barrier.await();
                results1.add(true);
                int i = barrier.await();
                results2.add(true);
                return i;
            }));
            assertEquals(trues(N), results1);
            assertEquals(trues(N), results2);
            Collections.sort(res);
            assertEquals(IntStream.range(0, N).boxed().toList(), res);
            assertEquals(0, barrier.nWaiting());
            assertFalse(barrier.broken());
        });
    }

    /** Every task but the last to leave sees the barrier draining; the last sees it filling again. */
    @Test
    @DisplayName("test_draining_state")
    void testDrainingState() {
        run(() -> {
            Barrier barrier = new Barrier(N);
            List<Boolean> results = new ArrayList<>();
            gatherTasks(N, () -> {
                barrier.await();
                results.add(barrier.toString().contains("draining"));
                return null;
            });
            assertEquals(N, results.size());
            assertFalse(results.get(N - 1));
            assertEquals(trues(N - 1), results.subList(0, N - 1));
            assertEquals(0, barrier.nWaiting());
            assertFalse(barrier.broken());
        });
    }

    /** Tasks that wait again while the barrier drains are held until it has drained. */
    @Test
    @DisplayName("test_blocking_tasks_while_draining")
    void testBlockingTasksWhileDraining() {
        run(() -> {
            int rewait = 2;
            Barrier barrier = new Barrier(N);
            Barrier barrierNowaiting = new Barrier(N - rewait);
            int[] rewaitN = {rewait};
            gatherTasks(N, () -> {
                barrier.await();
                if (rewaitN[0] > 0) {
                    rewaitN[0]--;
                    barrier.await();
                } else {
                    barrierNowaiting.await();
                    barrier.await();
                }
                return null;
            });
        });
    }

    /** A cancelled waiter leaves the count; the barrier then needs a new third party. */
    @Test
    @DisplayName("test_filling_tasks_cancel_one")
    void testFillingTasksCancelOne() {
        run(() -> {
            int n = 3;
            Barrier barrier = new Barrier(n);
            List<Boolean> results = new ArrayList<>();
            Callable<Void> coro = () -> {
                barrier.await();
                results.add(true);
                return null;
            };
            Task<Void> t1 = Asyncio.createTask(coro);
            sleep0();
            assertEquals(1, barrier.nWaiting());
            Task<Void> t2 = Asyncio.createTask(coro);
            sleep0();
            assertEquals(2, barrier.nWaiting());
            t1.cancel();
            sleep0();
            assertEquals(1, barrier.nWaiting());
            assertThrows(CancelledError.class, t1::await);
            assertTrue(t1.cancelled());
            Task<Void> t3 = Asyncio.createTask(coro);
            sleep0();
            assertEquals(2, barrier.nWaiting());
            Task<Void> t4 = Asyncio.createTask(coro);
            Asyncio.gather(List.of(t2, t3, t4)).await();
            assertEquals(trues(n), results);
            assertEquals(0, barrier.nWaiting());
            assertFalse(barrier.broken());
        });
    }

    /** reset() of an empty barrier leaves it filling and not broken. */
    @Test
    @DisplayName("test_reset_barrier")
    void testResetBarrier() {
        run(() -> {
            Barrier barrier = new Barrier(1);
            Asyncio.createTask(barrier::reset);
            sleep0();
            assertEquals(0, barrier.nWaiting());
            assertFalse(barrier.broken());
        });
    }

    /** reset() with N-1 waiting: each raises BrokenBarrierError, and the barrier is filling again. */
    @Test
    @DisplayName("test_reset_barrier_while_tasks_waiting")
    void testResetBarrierWhileTasksWaiting() {
        run(() -> {
            Barrier barrier = new Barrier(N);
            List<Boolean> results = new ArrayList<>();
            List<Task<Void>> tasks = makeTasks(N - 1, () -> {
                try {
                    barrier.await();
                } catch (BrokenBarrierError e) {
                    results.add(true);
                }
                return null;
            });
            sleep0();
            Asyncio.createTask(barrier::reset);
            Asyncio.gather(tasks).await();
            assertEquals(trues(N - 1), results);
            assertEquals(0, barrier.nWaiting());
            assertFalse(barrier.toString().contains("resetting"), barrier.toString());
            assertFalse(barrier.broken());
        });
    }

    /**
     * A reset while half the released tasks have not left yet breaks it for them. CPython compares
     * the private {@code _count} (tasks inside the barrier); every task that returned from
     * {@code await()} has left, so {@code _count} is N less the tasks that returned.
     */
    @Test
    @DisplayName("test_reset_barrier_when_tasks_half_draining")
    void testResetBarrierWhenTasksHalfDraining() {
        run(() -> {
            Barrier barrier = new Barrier(N);
            List<Boolean> results1 = new ArrayList<>();
            int restOfTasks = N / 2;
            int[] left = {0};
            gatherTasks(N, () -> {
                try {
                    barrier.await();
                } catch (BrokenBarrierError e) {
                    results1.add(true);
                    return null;
                }
                left[0]++;
                if (restOfTasks == N - left[0]) {
                    barrier.reset();
                }
                return null;
            });
            assertEquals(trues(restOfTasks), results1);
            assertEquals(0, barrier.nWaiting());
            assertFalse(barrier.toString().contains("resetting"), barrier.toString());
            assertFalse(barrier.broken());
        });
    }

    /** A reset by a released task breaks the ones still draining; all then meet again. */
    @Test
    @DisplayName("test_reset_barrier_when_tasks_half_draining_half_blocking")
    void testResetBarrierWhenTasksHalfDrainingHalfBlocking() {
        run(() -> {
            Barrier barrier = new Barrier(N);
            List<Boolean> results1 = new ArrayList<>();
            List<Boolean> results2 = new ArrayList<>();
            int blockingTasks = N / 2;
            int[] count = {0};
            gatherTasks(N, () -> {
                try {
                    barrier.await();
                } catch (BrokenBarrierError e) {
                    results1.add(true);
                    barrier.await();
                    return null;
                }
                count[0]++;
                if (count[0] > blockingTasks) {
                    barrier.reset();
                    barrier.await();
                } else {
                    try {
                        barrier.await();
                    } catch (BrokenBarrierError e) {
                        results2.add(true);
                    }
                }
                return null;
            });
            assertEquals(trues(blockingTasks), results1);
            assertEquals(List.of(), results2);
            assertEquals(0, barrier.nWaiting());
            assertFalse(barrier.toString().contains("resetting"), barrier.toString());
            assertFalse(barrier.broken());
        });
    }

    /** N-1 tasks broken by a reset wait again, and one more task completes the barrier. */
    @Test
    @DisplayName("test_reset_barrier_while_tasks_waiting_and_waiting_again")
    void testResetBarrierWhileTasksWaitingAndWaitingAgain() {
        run(() -> {
            Barrier barrier = new Barrier(N);
            List<Boolean> results1 = new ArrayList<>();
            List<Boolean> results2 = new ArrayList<>();
            List<Task<Void>> tasks = makeTasks(N - 1, () -> {
                try {
                    barrier.await();
                } catch (BrokenBarrierError e) {
                    results1.add(true);
                } finally {
                    barrier.await();
                    results2.add(true);
                }
                return null;
            });
            Asyncio.createTask(barrier::reset);
            sleep0();
            Asyncio.createTask(() -> {
                barrier.await();
                results2.add(true);
            });
            Asyncio.gather(tasks).await();
            assertFalse(barrier.broken());
            assertEquals(trues(N - 1), results1);
            assertEquals(trues(N), results2);
            assertEquals(0, barrier.nWaiting());
        });
    }

    /** A reset by the last task to leave does not break the others' next wait. */
    @Test
    @DisplayName("test_reset_barrier_while_tasks_draining")
    void testResetBarrierWhileTasksDraining() {
        run(() -> {
            Barrier barrier = new Barrier(N);
            List<Boolean> results1 = new ArrayList<>();
            List<Boolean> results2 = new ArrayList<>();
            List<Boolean> results3 = new ArrayList<>();
            int[] count = {0};
            gatherTasks(N, () -> {
                barrier.await();
                count[0]++;
                if (count[0] == N) {
                    barrier.reset();
                    barrier.await();
                } else {
                    try {
                        barrier.await();
                        results1.add(true);
                    } catch (RuntimeException e) {
                        results2.add(true);
                    }
                }
                barrier.await();
                results3.add(true);
                return null;
            });
            assertFalse(barrier.broken());
            assertEquals(trues(N - 1), results1);
            assertEquals(0, results2.size());
            assertEquals(trues(N), results3);
            assertEquals(0, barrier.nWaiting());
        });
    }

    /** abort() of an empty barrier breaks it. */
    @Test
    @DisplayName("test_abort_barrier")
    void testAbortBarrier() {
        run(() -> {
            Barrier barrier = new Barrier(1);
            Asyncio.createTask(barrier::abort);
            sleep0();
            assertEquals(0, barrier.nWaiting());
            assertTrue(barrier.broken());
        });
    }

    /** An abort by a released task breaks the draining ones and the ones that wait again. */
    @Test
    @DisplayName("test_abort_barrier_when_tasks_half_draining_half_blocking")
    void testAbortBarrierWhenTasksHalfDrainingHalfBlocking() {
        run(() -> {
            Barrier barrier = new Barrier(N);
            List<Boolean> results1 = new ArrayList<>();
            List<Boolean> results2 = new ArrayList<>();
            int blockingTasks = N / 2;
            int[] count = {0};
            gatherTasks(N, () -> {
                try {
                    barrier.await();
                } catch (BrokenBarrierError e) {
                    results1.add(true);
                    return null;
                }
                count[0]++;
                if (count[0] > blockingTasks) {
                    barrier.abort();
                } else {
                    try {
                        barrier.await();
                    } catch (BrokenBarrierError e) {
                        results2.add(true);
                    }
                }
                return null;
            });
            assertTrue(barrier.broken());
            assertEquals(trues(blockingTasks), results1);
            assertEquals(trues(N - blockingTasks - 1), results2);
            assertEquals(0, barrier.nWaiting());
            assertFalse(barrier.toString().contains("resetting"), barrier.toString());
        });
    }

    /** lock_tests' test_reset in asyncio: the party that fails aborts, and every other one is broken. */
    @Test
    @DisplayName("test_abort_barrier_when_exception")
    void testAbortBarrierWhenException() {
        run(() -> {
            Barrier barrier = new Barrier(N);
            List<Boolean> results1 = new ArrayList<>();
            List<Boolean> results2 = new ArrayList<>();
            gatherTasks(N, () -> {
                try {
                    int i = barrier.await();
                    if (i == N / 2) {
                        throw new IllegalStateException();
                    }
                    barrier.await();
                    results1.add(true);
                } catch (BrokenBarrierError e) {
                    results2.add(true);
                } catch (IllegalStateException e) {
                    barrier.abort();
                }
                return null;
            });
            assertTrue(barrier.broken());
            assertEquals(0, results1.size());
            assertEquals(trues(N - 1), results2);
            assertEquals(0, barrier.nWaiting());
        });
    }

    /** lock_tests' test_abort_and_reset in asyncio: after the abort a reset makes the barrier work again. */
    @Test
    @DisplayName("test_abort_barrier_when_exception_then_resetting")
    void testAbortBarrierWhenExceptionThenResetting() {
        run(() -> {
            Barrier barrier1 = new Barrier(N);
            Barrier barrier2 = new Barrier(N);
            List<Boolean> results1 = new ArrayList<>();
            List<Boolean> results2 = new ArrayList<>();
            List<Boolean> results3 = new ArrayList<>();
            gatherTasks(N, () -> {
                try {
                    int i = barrier1.await();
                    if (i == N / 2) {
                        throw new IllegalStateException();
                    }
                    barrier1.await();
                    results1.add(true);
                } catch (BrokenBarrierError e) {
                    results2.add(true);
                } catch (IllegalStateException e) {
                    barrier1.abort();
                }
                int i = barrier2.await();
                if (i == N / 2) {
                    barrier1.reset();
                }
                barrier2.await();
                barrier1.await();
                results3.add(true);
                return null;
            });
            assertFalse(barrier1.broken());
            assertEquals(0, results1.size());
            assertEquals(trues(N - 1), results2);
            assertEquals(trues(N), results3);
            assertEquals(0, barrier1.nWaiting());
        });
    }
}
