package dev.pyconc.conformance.asyncio.testtaskgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.CancelledError;
import dev.pyconc.asyncio.Event;
import dev.pyconc.asyncio.Future;
import dev.pyconc.asyncio.Task;
import dev.pyconc.asyncio.TaskGroup;
import dev.pyconc.builtins.ExceptionGroup;
import dev.pyconc.contextvars.Context;
import dev.pyconc.contextvars.ContextVar;
import dev.pyconc.contextvars.Contextvars;
import dev.pyconc.conformance.asyncio.IsolatedAsyncioTestCase;

/**
 * test_asyncio/test_taskgroups.py's {@code BaseTestTaskGroup}. {@code async with TaskGroup() as g}
 * is {@code TaskGroup.run(g -> ...)}, the form with Python's semantics exactly; Python's
 * ZeroDivisionError (1 / 0) is ArithmeticException, KeyboardInterrupt is a Java Error (a
 * TaskGroup raises it alone, as Python does KeyboardInterrupt), and {@code except* E} is a catch
 * of the ExceptionGroup that splits off E and re-throws the rest.
 */
public abstract class BaseTestTaskGroup extends IsolatedAsyncioTestCase {

    static final class MyExc extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    /** Python's KeyboardInterrupt: an Error, which a TaskGroup raises alone. */
    static final class KeyboardInterrupt extends Error {
        private static final long serialVersionUID = 1L;
    }

    static Set<Class<?>> getErrorTypes(ExceptionGroup eg) {
        Set<Class<?>> types = new HashSet<>();
        for (Throwable e : eg.exceptions()) {
            types.add(e.getClass());
        }
        return types;
    }

    /** {@code except* type}: the matching part of {@code eg}; the rest, if any, is re-thrown. */
    static ExceptionGroup exceptStar(ExceptionGroup eg, Class<? extends Throwable> type) {
        ExceptionGroup.Split s = eg.split(type);
        if (s.rest() != null) {
            throw s.rest();
        }
        return s.match();
    }

    static int divide(int a, int b) {
        return a / b;
    }

    static Duration seconds(double s) {
        return Duration.ofNanos((long) (s * 1e9));
    }

    static Task<?> currentTask() {
        return Asyncio.currentTask();
    }

    /** Two tasks of a group both run to their end. */
    @Test
    @DisplayName("test_taskgroup_01")
    void testTaskgroup01() {
        run(() -> {
            List<Task<Integer>> t = new ArrayList<>();
            TaskGroup.run(g -> {
                t.add(g.createTask(() -> { sleep(0.1); return 42; }));
                t.add(g.createTask(() -> { sleep(0.2); return 11; }));
            });
            assertEquals(42, t.get(0).result());
            assertEquals(11, t.get(1).result());
        });
    }

    /** A task created after the body slept also runs to its end. */
    @Test
    @DisplayName("test_taskgroup_02")
    void testTaskgroup02() {
        run(() -> {
            List<Task<Integer>> t = new ArrayList<>();
            TaskGroup.run(g -> {
                t.add(g.createTask(() -> { sleep(0.1); return 42; }));
                sleep(0.15);
                t.add(g.createTask(() -> { sleep(0.2); return 11; }));
            });
            assertEquals(42, t.get(0).result());
            assertEquals(11, t.get(1).result());
        });
    }

    /** A task cancelled explicitly is no failure: the group goes on. */
    @Test
    @DisplayName("test_taskgroup_03")
    void testTaskgroup03() {
        run(() -> {
            List<Task<Integer>> t = new ArrayList<>();
            TaskGroup.run(g -> {
                t.add(g.createTask(() -> { sleep(1); return 42; }));
                sleep(0.15);
                t.get(0).cancel();
                t.add(g.createTask(() -> { sleep(0.2); return 11; }));
            });
            assertTrue(t.get(0).cancelled());
            assertEquals(11, t.get(1).result());
        });
    }

    /** A failing task cancels its sibling; the group raises ExceptionGroup of the failure. */
    @Test
    @DisplayName("test_taskgroup_04")
    void testTaskgroup04() {
        run(() -> {
            int[] num = {0};
            boolean[] t2Cancel = {false};
            List<Task<Void>> t2 = new ArrayList<>();
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> Asyncio.createTask(() -> {
                TaskGroup.run(g -> {
                    g.createTask(() -> { sleep(0.1); divide(1, 0); });
                    t2.add(g.createTask(() -> {
                        try {
                            sleep(1);
                        } catch (CancelledError e) {
                            t2Cancel[0] = true;
                            throw e;
                        }
                        num[0] += 1;
                    }));
                });
                num[0] += 10;
            }).await());
            assertEquals(Set.of(ArithmeticException.class), getErrorTypes(eg));
            assertEquals(0, num[0]);
            assertTrue(t2Cancel[0]);
            assertTrue(t2.get(0).cancelled());
        });
    }

    /** A child's failure cancels the other children and the body; the failures form the group. */
    @Test
    @DisplayName("test_cancel_children_on_child_error")
    void testCancelChildrenOnChildError() {
        run(() -> {
            int[] num = {0};
            boolean[] t2Cancel = {false};
            boolean[] runnerCancel = {false};
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> Asyncio.createTask(() -> {
                TaskGroup.run(g -> {
                    for (int i = 0; i < 3; i++) {
                        g.createTask(() -> { sleep(0.1); divide(1, 0); });
                    }
                    g.createTask(() -> {
                        try {
                            sleep(5);
                        } catch (CancelledError e) {
                            t2Cancel[0] = true;
                            throw e;
                        }
                        num[0] += 1;
                    });
                    try {
                        sleep(10);
                    } catch (CancelledError e) {
                        runnerCancel[0] = true;
                        throw e;
                    }
                });
                num[0] += 10;
            }).await());
            assertEquals(Set.of(ArithmeticException.class), getErrorTypes(eg));
            assertEquals(0, num[0]);
            assertTrue(t2Cancel[0]);
            assertTrue(runnerCancel[0]);
        });
    }

    private static void countCancellation(int[] num, int by, double sleepSeconds) {
        try {
            sleep(sleepSeconds);
        } catch (CancelledError e) {
            num[0] += by;
            throw e;
        }
    }

    /** Cancelling the task that runs the group cancels its five tasks. */
    @Test
    @DisplayName("test_cancellation")
    void testCancellation() {
        run(() -> {
            int[] num = {0};
            Task<Void> r = Asyncio.createTask(() -> TaskGroup.run(g -> {
                for (int i = 0; i < 5; i++) {
                    g.createTask(() -> countCancellation(num, 1, 5));
                }
            }));
            sleep(0.1);
            assertFalse(r.done());
            r.cancel();
            assertThrows(CancelledError.class, r::await);
            assertEquals(5, num[0]);
        });
    }

    /** The same with a body that waits too: the body and the five tasks are cancelled. */
    @Test
    @DisplayName("test_taskgroup_07")
    void testTaskgroup07() {
        run(() -> {
            int[] num = {0};
            Task<Void> r = Asyncio.createTask(() -> TaskGroup.run(g -> {
                for (int i = 0; i < 5; i++) {
                    g.createTask(() -> countCancellation(num, 1, 5));
                }
                countCancellation(num, 10, 10);
            }));
            sleep(0.1);
            assertFalse(r.done());
            r.cancel();
            assertThrows(CancelledError.class, r::await);
            assertEquals(15, num[0]);
        });
    }

    private static void failInCleanup() {
        try {
            sleep(10);
        } finally {
            divide(1, 0);
        }
    }

    /** Tasks that fail in their clean-up after a cancellation from outside: ExceptionGroup has priority. */
    @Test
    @DisplayName("test_taskgroup_08")
    void testTaskgroup08() {
        run(() -> {
            Task<Void> r = Asyncio.createTask(() -> TaskGroup.run(g -> {
                for (int i = 0; i < 5; i++) {
                    g.createTask(BaseTestTaskGroup::failInCleanup);
                }
                sleep(10);
            }));
            sleep(0.1);
            assertFalse(r.done());
            r.cancel();
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, r::await);
            assertEquals(Set.of(ArithmeticException.class), getErrorTypes(eg));
        });
    }

    /** The body fails after a sleep: the tasks are cancelled and the failure raised in a group. */
    @Test
    @DisplayName("test_taskgroup_09")
    void testTaskgroup09() {
        bodyFails(true);
    }

    /** The body fails at once: the same. */
    @Test
    @DisplayName("test_taskgroup_10")
    void testTaskgroup10() {
        bodyFails(false);
    }

    private static void bodyFails(boolean sleepFirst) {
        run(() -> {
            List<Task<Integer>> t = new ArrayList<>();
            try {
                TaskGroup.run(g -> {
                    t.add(g.createTask(() -> { sleep(1); return 42; }));
                    t.add(g.createTask(() -> { sleep(2); return 11; }));
                    if (sleepFirst) {
                        sleep(0.1);
                    }
                    divide(1, 0);
                });
                fail("ExceptionGroup was not raised");
            } catch (ExceptionGroup e) {
                assertEquals(Set.of(ArithmeticException.class), getErrorTypes(e));
            }
            assertTrue(t.get(0).cancelled());
            assertTrue(t.get(1).cancelled());
        });
    }

    /** Nested groups whose inner tasks fail in clean-up: a group in a group. */
    @Test
    @DisplayName("test_taskgroup_11")
    void testTaskgroup11() {
        nestedCleanupFailures(false);
    }

    /** The same with a sleeping task in the outer group. */
    @Test
    @DisplayName("test_taskgroup_12")
    void testTaskgroup12() {
        nestedCleanupFailures(true);
    }

    private static void nestedCleanupFailures(boolean outerTask) {
        run(() -> {
            Task<Void> r = Asyncio.createTask(() -> TaskGroup.run(g1 -> {
                if (outerTask) {
                    g1.createTask(() -> sleep(10));
                }
                TaskGroup.run(g2 -> {
                    for (int i = 0; i < 5; i++) {
                        g2.createTask(BaseTestTaskGroup::failInCleanup);
                    }
                    sleep(10);
                });
            }));
            sleep(0.1);
            assertFalse(r.done());
            r.cancel();
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, r::await);
            assertEquals(Set.of(ExceptionGroup.class), getErrorTypes(eg));
            assertEquals(Set.of(ArithmeticException.class), getErrorTypes((ExceptionGroup) eg.exceptions().get(0)));
        });
    }

    private static void crashAfter(double t) {
        sleep(t);
        throw new IllegalArgumentException(String.valueOf(t));     // Python's ValueError(t)
    }

    /** The outer group's task fails first: the inner group is cancelled, the outer raises the failure. */
    @Test
    @DisplayName("test_taskgroup_13")
    void testTaskgroup13() {
        run(() -> {
            Task<Void> r = Asyncio.createTask(() -> TaskGroup.run(g1 -> {
                g1.createTask(() -> crashAfter(0.1));
                TaskGroup.run(g2 -> g2.createTask(() -> crashAfter(10)));
            }));
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, r::await);
            assertEquals(Set.of(IllegalArgumentException.class), getErrorTypes(eg));
        });
    }

    /** The inner group's task fails first: the outer group raises the inner group. */
    @Test
    @DisplayName("test_taskgroup_14")
    void testTaskgroup14() {
        run(() -> {
            Task<Void> r = Asyncio.createTask(() -> TaskGroup.run(g1 -> {
                g1.createTask(() -> crashAfter(10));
                TaskGroup.run(g2 -> g2.createTask(() -> crashAfter(0.1)));
            }));
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, r::await);
            assertEquals(Set.of(ExceptionGroup.class), getErrorTypes(eg));
            assertEquals(Set.of(IllegalArgumentException.class), getErrorTypes((ExceptionGroup) eg.exceptions().get(0)));
        });
    }

    private static void crashSoon() {
        sleep(0.3);
        divide(1, 0);
    }

    private static void slowCancelledBody(TaskGroup g1) {
        g1.createTask(BaseTestTaskGroup::crashSoon);
        try {
            sleep(10);
        } catch (CancelledError e) {
            sleep(0.5);
            throw e;
        }
    }

    /** A task fails while the cancelled body cleans up: the ExceptionGroup wins over the cancellation. */
    @Test
    @DisplayName("test_taskgroup_15")
    void testTaskgroup15() {
        run(() -> {
            Task<Void> r = Asyncio.createTask(() -> TaskGroup.run(BaseTestTaskGroup::slowCancelledBody));
            sleep(0.1);
            assertFalse(r.done());
            r.cancel();
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, r::await);
            assertEquals(Set.of(ArithmeticException.class), getErrorTypes(eg));
        });
    }

    /** The same with the group in a task that the cancelled task awaits. */
    @Test
    @DisplayName("test_taskgroup_16")
    void testTaskgroup16() {
        run(() -> {
            Task<Void> r = Asyncio.createTask(() -> {
                Task<Void> t = Asyncio.createTask(() -> TaskGroup.run(BaseTestTaskGroup::slowCancelledBody));
                t.await();
            });
            sleep(0.1);
            assertFalse(r.done());
            r.cancel();
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, r::await);
            assertEquals(Set.of(ArithmeticException.class), getErrorTypes(eg));
        });
    }

    /** A cancelled group without tasks: the body sees the cancellation, which goes on. */
    @Test
    @DisplayName("test_taskgroup_17")
    void testTaskgroup17() {
        run(() -> {
            int[] num = {0};
            Task<Void> r = Asyncio.createTask(() -> TaskGroup.run(g -> countCancellation(num, 10, 10)));
            sleep(0.1);
            assertFalse(r.done());
            r.cancel();
            assertThrows(CancelledError.class, r::await);
            assertEquals(10, num[0]);
        });
    }

    /** A body that turns the cancellation into MyExc: the group raises it in an ExceptionGroup. */
    @Test
    @DisplayName("test_taskgroup_18")
    void testTaskgroup18() {
        run(() -> {
            int[] num = {0};
            Task<Void> r = Asyncio.createTask(() -> TaskGroup.run(g -> {
                try {
                    sleep(10);
                } catch (CancelledError e) {
                    num[0] += 10;
                    throw new MyExc();
                }
            }));
            sleep(0.1);
            assertFalse(r.done());
            r.cancel();
            try {
                r.await();
                fail("ExceptionGroup was not raised");
            } catch (ExceptionGroup t) {
                assertEquals(Set.of(MyExc.class), getErrorTypes(t));
            }
            assertEquals(10, num[0]);
        });
    }

    /** A body that fails in its clean-up after a task failed: both failures in the group. */
    @Test
    @DisplayName("test_taskgroup_19")
    void testTaskgroup19() {
        run(() -> {
            Task<Void> r = Asyncio.createTask(() -> TaskGroup.run(g -> {
                g.createTask(() -> { sleep(0.1); divide(1, 0); });
                try {
                    sleep(10);
                } finally {
                    throw new MyExc();
                }
            }));
            try {
                r.await();
                fail("TaskGroupError was not raised");
            } catch (ExceptionGroup t) {
                assertEquals(Set.of(MyExc.class, ArithmeticException.class), getErrorTypes(t));
            }
        });
    }

    /** A body that raises KeyboardInterrupt (a Java Error) in its clean-up: it is raised alone. */
    @Test
    @DisplayName("test_taskgroup_20")
    void testTaskgroup20() {
        run(() -> {
            assertThrows(KeyboardInterrupt.class, () -> TaskGroup.run(g -> {
                g.createTask(() -> { sleep(0.1); divide(1, 0); });
                try {
                    sleep(10);
                } finally {
                    throw new KeyboardInterrupt();
                }
            }));
        });
    }

    /** A group cancelled from outside while its tasks sleep: CancelledError. */
    @Test
    @DisplayName("test_taskgroup_22")
    void testTaskgroup22() {
        run(() -> {
            Task<Void> r = Asyncio.createTask(() -> TaskGroup.run(g -> {
                g.createTask(() -> { sleep(1); return 42; });
                g.createTask(() -> { sleep(2); return 11; });
            }));
            sleep(0.05);
            r.cancel();
            assertThrows(CancelledError.class, r::await);
        });
    }

    /** Finished tasks leave the group: CPython's len(g._tasks), here toString's tasks=n. */
    @Test
    @DisplayName("test_taskgroup_23")
    void testTaskgroup23() {
        run(() -> TaskGroup.run(g -> {
            for (int count = 0; count < 10; count++) {
                sleep(0.1);
                g.createTask(() -> sleep(0.3));
                if (count == 5) {
                    assertTrue(tasks(g) < 5, g.toString());
                }
            }
            sleep(1.35);
            assertEquals(0, tasks(g), g.toString());
        }));
    }

    static int tasks(TaskGroup g) {
        String s = g.toString();
        int i = s.indexOf("tasks=") + "tasks=".length();
        int end = i;
        while (Character.isDigit(s.charAt(end))) {
            end++;
        }
        return Integer.parseInt(s.substring(i, end));
    }

    /** A task of the group creates more tasks in it. */
    @Test
    @DisplayName("test_taskgroup_24")
    void testTaskgroup24() {
        run(() -> TaskGroup.run(g -> g.createTask(() -> {
            sleep(0.1);
            g.createTask(() -> sleep(0.1));
            g.createTask(() -> sleep(0.2));
        })));
    }

    /** Hydras multiply in the group until Hercules fails: the group raises his failure alone. */
    @Test
    @DisplayName("test_taskgroup_25")
    void testTaskgroup25() {
        run(() -> {
            int[] nhydras = {0};
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> TaskGroup.run(g -> {
                g.createTask(() -> hydra(g, nhydras));
                g.createTask(() -> {
                    while (nhydras[0] < 10) {
                        sleep(0.015);
                    }
                    divide(1, 0);
                });
            }));
            assertEquals(Set.of(ArithmeticException.class), getErrorTypes(eg));
            assertTrue(nhydras[0] >= 10);
        });
    }

    private static void hydra(TaskGroup g, int[] nhydras) {
        nhydras[0]++;
        sleep(0.01);
        g.createTask(() -> hydra(g, nhydras));
        g.createTask(() -> hydra(g, nhydras));
    }

    /** createTask with a name. */
    @Test
    @DisplayName("test_taskgroup_task_name")
    void testTaskgroupTaskName() {
        run(() -> TaskGroup.run(g -> {
            Task<Void> t = g.createTask(IsolatedAsyncioTestCase::sleep0, "yolo");
            assertEquals("yolo", t.getName());
        }));
    }

    @Test
    @DisplayName("test_taskgroup_task_context")
    void testTaskgroupTaskContext() {
        ContextVar<Integer> cvar = new ContextVar<>("cvar");
        java.util.function.IntFunction<Runnable> coro = val -> () -> {
            sleep0();
            cvar.set(val);
        };
        run(() -> TaskGroup.run(g -> {
            Context ctx = Contextvars.copyContext();
            assertNull(ctx.get(cvar));
            Task<Void> t1 = g.createTask(coro.apply(1), null, ctx);
            t1.await();
            assertEquals(1, ctx.get(cvar));
            Task<Void> t2 = g.createTask(coro.apply(2), null, ctx);
            t2.await();
            assertEquals(2, ctx.get(cvar));
        }));
    }

    /** A task created while the group aborts is refused with IllegalStateException. */
    @Test
    @DisplayName("test_taskgroup_no_create_task_after_failure")
    void testTaskgroupNoCreateTaskAfterFailure() {
        run(() -> {
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> TaskGroup.run(g -> {
                g.createTask(() -> { sleep(0.001); divide(1, 0); });
                g.createTask(() -> {
                    try {
                        sleep(1);
                    } catch (CancelledError e) {
                        assertThrows(IllegalStateException.class, () -> g.createTask(() -> { sleep(0.001); divide(1, 0); }));
                    }
                });
            }));
            assertEquals(Set.of(ArithmeticException.class), getErrorTypes(eg));
        });
    }

    static final class CustomException extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    /**
     * gh-95289: a context manager in the body whose exit raises after a task failed: both
     * failures in the group, and the task's cancellation count back at 0. The asynccontextmanager
     * whose finally raises is a finally that throws.
     */
    @Test
    @DisplayName("test_taskgroup_context_manager_exit_raises")
    void testTaskgroupContextManagerExitRaises() {
        run(() -> Asyncio.createTask(() -> {
            Task<?> task = currentTask();
            try {
                TaskGroup.run(tg -> {
                    try {
                        tg.createTask(() -> { throw new CustomException(); });
                        sleep(1);
                    } finally {
                        throw new CustomException();
                    }
                });
                fail("CustomException not raised");
            } catch (ExceptionGroup eg) {
                ExceptionGroup err = exceptStar(eg, CustomException.class);
                assertEquals(0, task.cancelling());
                assertEquals(2, err.exceptions().size());
            }
        }).await());
    }

    /**
     * A group whose block has ended cannot end again: the Java form of entering a group a
     * second time is a second block on it, whose join() is refused (IllegalStateException).
     */
    @Test
    @DisplayName("test_taskgroup_double_enter")
    void testTaskgroupDoubleEnter() {
        run(() -> {
            TaskGroup tg = new TaskGroup();
            try (tg) {
                tg.join();
            }
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
                try (tg) {
                    tg.join();
                }
            });
            assertTrue(e.getMessage().contains("has already been"), e.getMessage());
        });
    }

    /** createTask on a finished group is IllegalStateException ("is finished"), and the body never runs. */
    @Test
    @DisplayName("test_taskgroup_finished")
    void testTaskgroupFinished() {
        finishedGroupRefusesTask();
    }

    private static void finishedGroupRefusesTask() {
        run(() -> {
            TaskGroup[] tg = new TaskGroup[1];
            TaskGroup.run(g -> tg[0] = g);
            boolean[] ran = {false};
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> tg[0].createTask(() -> {
                ran[0] = true;
            }));
            assertTrue(e.getMessage().contains("is finished"), e.getMessage());
            sleep0();
            assertFalse(ran[0]);
        });
    }

    /**
     * A group made outside a task is IllegalStateException naming the parent task. (The rest of
     * CPython's test, createTask on the group never entered, has no Java form: the constructor
     * enters.)
     */
    @Test
    @DisplayName("test_taskgroup_without_parent_task")
    void testTaskgroupWithoutParentTask() {
        run(() -> {
            Future<Throwable> outcome = Asyncio.getRunningLoop().createFuture();
            Asyncio.getRunningLoop().callSoon(() -> {
                try {
                    new TaskGroup();
                    outcome.setResult(null);
                } catch (RuntimeException e) {
                    outcome.setResult(e);
                }
            });
            Throwable e = outcome.await();
            assertInstanceOf(IllegalStateException.class, e);
            assertTrue(e.getMessage().contains("parent task"), e.getMessage());
        });
    }

    /** A body given to a finished group is refused and never runs. */
    @Test
    @DisplayName("test_coro_closed_when_tg_closed")
    void testCoroClosedWhenTgClosed() {
        finishedGroupRefusesTask();
    }

    /** After a group's failure is handled, the task's cancellation count is back at 0. */
    @Test
    @DisplayName("test_cancelling_level_preserved")
    void testCancellingLevelPreserved() {
        run(() -> {
            try {
                TaskGroup.run(tg -> tg.createTask(() -> {
                    sleep(0.0);
                    throw new IllegalStateException();       // Python's RuntimeError
                }));
            } catch (ExceptionGroup eg) {
                exceptStar(eg, IllegalStateException.class);
            }
            assertEquals(0, currentTask().cancelling());
        });
    }

    /** An inner and an outer group both fail: each handler sees its own, and the count returns to 0. */
    @Test
    @DisplayName("test_nested_groups_both_cancelled")
    void testNestedGroupsBothCancelled() {
        run(() -> {
            try {
                TaskGroup.run(outerTg -> {
                    try {
                        TaskGroup.run(innerTg -> {
                            innerTg.createTask(() -> {
                                sleep(0);
                                throw new IllegalStateException();
                            });
                            outerTg.createTask(() -> {
                                sleep(0);
                                throw new IllegalArgumentException();
                            });
                        });
                        fail("RuntimeError not raised");
                    } catch (ExceptionGroup eg) {
                        exceptStar(eg, IllegalStateException.class);
                    }
                    assertEquals(1, currentTask().cancelling());
                });
                fail("ValueError not raised");
            } catch (ExceptionGroup eg) {
                exceptStar(eg, IllegalArgumentException.class);
            }
            assertEquals(0, currentTask().cancelling());
        });
    }

    /** A task cancelled from outside while its group fails stays cancelled after handling the failure. */
    @Test
    @DisplayName("test_error_and_cancel")
    void testErrorAndCancel() {
        run(() -> {
            Event event = new Event();
            Task<Void> t = Asyncio.createTask(() -> {
                try {
                    TaskGroup.run(tg -> {
                        tg.createTask(() -> {
                            event.set();
                            sleep0();
                            throw new IllegalStateException();
                        });
                        sleep(1);
                        fail("Sleep in group should have been cancelled");
                    });
                } catch (ExceptionGroup eg) {
                    exceptStar(eg, IllegalStateException.class);
                    assertEquals(1, currentTask().cancelling());
                }
                assertEquals(1, currentTask().cancelling());
                sleep(1);
                fail("Sleep after group should have been cancelled");
            });
            event.await();
            assertEquals(0, t.cancelling());
            t.cancel();
            assertEquals(1, t.cancelling());
            assertThrows(CancelledError.class, t::await);
            assertTrue(t.cancelled());
        });
    }

    static final class MyError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MyError(String message) {
            super(message);
        }
    }

    /** gh-128550: a task created by a task of the group while the group is being aborted is cancelled. */
    @Test
    @DisplayName("test_cancels_task_if_created_during_creation")
    void testCancelsTaskIfCreatedDuringCreation() {
        run(() -> {
            boolean[] ran = {false};
            Throwable exc = null;
            try {
                TaskGroup.run(tg -> tg.createTask(() -> {
                    tg.createTask(() -> { throw new MyError("third task failed"); });
                    assertThrows(CancelledError.class, () -> {
                        sleep0();
                        sleep0();
                    });
                    ran[0] = true;
                }));
            } catch (ExceptionGroup eg) {
                exc = exceptStar(eg, MyError.class).exceptions().get(0);
            }
            assertTrue(ran[0]);
            assertInstanceOf(MyError.class, exc);
        });
    }

    /** A handled failure of a group leaves no cancellation behind for the next await. */
    @Test
    @DisplayName("test_cancellation_does_not_leak_out_of_tg")
    void testCancellationDoesNotLeakOutOfTg() {
        run(() -> {
            try {
                TaskGroup.run(tg -> tg.createTask(() -> { throw new MyExc(); }));
                fail("should have raised one MyError in group");
            } catch (ExceptionGroup eg) {
                assertNotNull(exceptStar(eg, MyExc.class));
            }
            sleep0();
        });
    }

}
