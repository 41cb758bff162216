package dev.pyconc.asyncio;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.builtins.ExceptionGroup;
import dev.pyconc.builtins.TimeoutError;

@org.junit.jupiter.api.Timeout(60)
class TaskGroupTest extends LoopTesting {

    /** An exception of a test's own, as CPython's MyExc. */
    static final class MyExc extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    /** An Error of a test's own, as CPython's KeyboardInterrupt in these tests. */
    static final class MyError extends Error {
        private static final long serialVersionUID = 1L;
    }

    private static Set<Class<?>> errorTypes(ExceptionGroup eg) {
        Set<Class<?>> types = new HashSet<>();
        for (Throwable e : eg.exceptions()) {
            types.add(e.getClass());
        }
        return types;
    }

    private static Duration ms(long n) {
        return Duration.ofMillis(n);
    }

    // ---------------------------------------------------------------- the run/call form

    /** The group waits for every task; their results are there once it ends. */
    @Test
    @DisplayName("test_taskgroup_01")
    void testTaskgroup01() {
        Asyncio.run(() -> {
            List<Task<Integer>> ts = TaskGroup.call(g -> List.of(
                    g.createTask(() -> Asyncio.sleep(ms(100), 42)),
                    g.createTask(() -> Asyncio.sleep(ms(200), 11))));
            assertEquals(42, ts.get(0).result());
            assertEquals(11, ts.get(1).result());
            return null;
        });
    }

    /** A task created after the body awaited is waited for too. */
    @Test
    @DisplayName("test_taskgroup_02")
    void testTaskgroup02() {
        Asyncio.run(() -> {
            List<Task<Integer>> ts = new ArrayList<>();
            TaskGroup.run(g -> {
                ts.add(g.createTask(() -> Asyncio.sleep(ms(100), 42)));
                Asyncio.sleep(ms(150));
                ts.add(g.createTask(() -> Asyncio.sleep(ms(200), 11)));
            });
            assertEquals(42, ts.get(0).result());
            assertEquals(11, ts.get(1).result());
            return null;
        });
    }

    /** A task cancelled on its own is not a failure: the others go on. */
    @Test
    @DisplayName("test_taskgroup_03")
    void testTaskgroup03() {
        Asyncio.run(() -> {
            List<Task<Integer>> ts = new ArrayList<>();
            TaskGroup.run(g -> {
                Task<Integer> t1 = g.createTask(() -> Asyncio.sleep(Duration.ofSeconds(1), 42));
                ts.add(t1);
                Asyncio.sleep(ms(150));
                t1.cancel();
                ts.add(g.createTask(() -> Asyncio.sleep(ms(200), 11)));
            });
            assertTrue(ts.get(0).cancelled());
            assertEquals(11, ts.get(1).result());
            return null;
        });
    }

    /** A failure cancels the sibling; the code after the block never runs; the failure leaves in an ExceptionGroup. */
    @Test
    @DisplayName("test_taskgroup_04")
    void testTaskgroup04() {
        int[] num = {0};
        boolean[] t2Cancel = {false};
        Asyncio.run(() -> {
            List<Task<Void>> t2 = new ArrayList<>();
            Task<Void> runner = Asyncio.createTask(() -> {
                TaskGroup.run(g -> {
                    g.createTask(() -> {
                        Asyncio.sleep(ms(100));
                        throw new ArithmeticException("/ by zero");
                    });
                    t2.add(g.createTask(() -> {
                        try {
                            Asyncio.sleep(Duration.ofSeconds(1));
                        } catch (CancelledError e) {
                            t2Cancel[0] = true;
                            throw e;
                        }
                        num[0] += 1;
                    }));
                });
                num[0] += 10;
            });
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, runner::await);
            assertEquals(Set.of(ArithmeticException.class), errorTypes(eg));
            assertTrue(t2.getFirst().cancelled());
            return null;
        });
        assertEquals(0, num[0]);
        assertTrue(t2Cancel[0]);
    }

    /** A failing child cancels the other children and the body, which sees a CancelledError, as in Python. */
    @Test
    @DisplayName("test_cancel_children_on_child_error")
    void testCancelChildrenOnChildError() {
        int[] num = {0};
        boolean[] t2Cancel = {false};
        boolean[] runnerCancel = {false};
        Asyncio.run(() -> {
            Task<Void> runner = Asyncio.createTask(() -> {
                TaskGroup.run(g -> {
                    for (int i = 0; i < 3; i++) {
                        g.createTask(() -> {
                            Asyncio.sleep(ms(100));
                            throw new ArithmeticException("/ by zero");
                        });
                    }
                    g.createTask(() -> {
                        try {
                            Asyncio.sleep(Duration.ofSeconds(5));
                        } catch (CancelledError e) {
                            t2Cancel[0] = true;
                            throw e;
                        }
                        num[0] += 1;
                    });
                    try {
                        Asyncio.sleep(Duration.ofSeconds(10));
                    } catch (CancelledError e) {
                        runnerCancel[0] = true;
                        throw e;
                    }
                });
                num[0] += 10;
            });
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, runner::await);
            assertEquals(Set.of(ArithmeticException.class), errorTypes(eg));
            assertFalse(runner.cancelled());
            return null;
        });
        assertEquals(0, num[0]);
        assertTrue(t2Cancel[0]);
        assertTrue(runnerCancel[0]);
    }

    /** Cancelling the task that runs the block cancels every child; the CancelledError goes on with its message. */
    @Test
    @DisplayName("test_cancellation")
    void testCancellation() {
        int[] num = {0};
        Asyncio.run(() -> {
            Task<Void> r = Asyncio.createTask(() -> TaskGroup.run(g -> {
                for (int i = 0; i < 5; i++) {
                    g.createTask(() -> {
                        try {
                            Asyncio.sleep(Duration.ofSeconds(5));
                        } catch (CancelledError e) {
                            num[0] += 1;
                            throw e;
                        }
                    });
                }
            }));
            Asyncio.sleep(ms(100));
            assertFalse(r.done());
            r.cancel("test");
            CancelledError e = assertThrows(CancelledError.class, r::await);
            assertEquals("test", e.getMessage());
            assertTrue(r.cancelled());
            return null;
        });
        assertEquals(5, num[0]);
    }

    /** Cancelling the task that runs the block reaches the body and every child. */
    @Test
    @DisplayName("test_taskgroup_07")
    void testTaskgroup07() {
        int[] num = {0};
        Asyncio.run(() -> {
            Task<Void> r = Asyncio.createTask(() -> TaskGroup.run(g -> {
                for (int i = 0; i < 5; i++) {
                    g.createTask(() -> {
                        try {
                            Asyncio.sleep(Duration.ofSeconds(5));
                        } catch (CancelledError e) {
                            num[0] += 1;
                            throw e;
                        }
                    });
                }
                try {
                    Asyncio.sleep(Duration.ofSeconds(10));
                } catch (CancelledError e) {
                    num[0] += 10;
                    throw e;
                }
            }));
            Asyncio.sleep(ms(100));
            assertFalse(r.done());
            r.cancel();
            assertThrows(CancelledError.class, r::await);
            return null;
        });
        assertEquals(15, num[0]);
    }

    /** Children that fail as they are cancelled from outside: the ExceptionGroup has priority over the CancelledError. */
    @Test
    @DisplayName("test_taskgroup_08")
    void testTaskgroup08() {
        Asyncio.run(() -> {
            Task<Void> r = Asyncio.createTask(() -> TaskGroup.run(g -> {
                for (int i = 0; i < 5; i++) {
                    g.createTask(() -> {
                        try {
                            Asyncio.sleep(Duration.ofSeconds(10));
                        } finally {
                            throw new ArithmeticException("/ by zero");
                        }
                    });
                }
                Asyncio.sleep(Duration.ofSeconds(10));
            }));
            Asyncio.sleep(ms(100));
            assertFalse(r.done());
            r.cancel();
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, r::await);
            assertEquals(Set.of(ArithmeticException.class), errorTypes(eg));
            assertEquals(5, eg.exceptions().size());
            return null;
        });
    }

    /** The body throws after an await: the children are cancelled and the body's exception is in the group. */
    @Test
    @DisplayName("test_taskgroup_09")
    void testTaskgroup09() {
        Asyncio.run(() -> {
            List<Task<Integer>> ts = new ArrayList<>();
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> TaskGroup.run(g -> {
                ts.add(g.createTask(() -> Asyncio.sleep(Duration.ofSeconds(1), 42)));
                ts.add(g.createTask(() -> Asyncio.sleep(Duration.ofSeconds(2), 11)));
                Asyncio.sleep(ms(100));
                throw new ArithmeticException("/ by zero");
            }));
            assertEquals(Set.of(ArithmeticException.class), errorTypes(eg));
            assertTrue(ts.get(0).cancelled());
            assertTrue(ts.get(1).cancelled());
            return null;
        });
    }

    /** The body throws at once: the children are cancelled and the body's exception is in the group. */
    @Test
    @DisplayName("test_taskgroup_10")
    void testTaskgroup10() {
        Asyncio.run(() -> {
            List<Task<Integer>> ts = new ArrayList<>();
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> TaskGroup.run(g -> {
                ts.add(g.createTask(() -> Asyncio.sleep(Duration.ofSeconds(1), 42)));
                ts.add(g.createTask(() -> Asyncio.sleep(Duration.ofSeconds(2), 11)));
                throw new ArithmeticException("/ by zero");
            }));
            assertEquals(Set.of(ArithmeticException.class), errorTypes(eg));
            assertTrue(ts.get(0).cancelled());
            assertTrue(ts.get(1).cancelled());
            return null;
        });
    }

    /** A checked exception of the body joins the group as it is. */
    @Test
    void checkedExceptionOfTheBody() {
        Asyncio.run(() -> {
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> TaskGroup.run(g -> {
                throw new java.io.IOException("checked");
            }));
            assertInstanceOf(java.io.IOException.class, eg.exceptions().getFirst());
            assertEquals("checked", eg.exceptions().getFirst().getMessage());
            return null;
        });
    }

    /** Nested groups cancelled from outside, whose inner children fail on cancellation: a group inside a group. */
    @Test
    @DisplayName("test_taskgroup_11")
    void testTaskgroup11() {
        Asyncio.run(() -> {
            Task<Void> r = Asyncio.createTask(() -> TaskGroup.run(g1 -> TaskGroup.run(g2 -> {
                for (int i = 0; i < 5; i++) {
                    g2.createTask(() -> {
                        try {
                            Asyncio.sleep(Duration.ofSeconds(10));
                        } finally {
                            throw new ArithmeticException("/ by zero");
                        }
                    });
                }
                Asyncio.sleep(Duration.ofSeconds(10));
            })));
            Asyncio.sleep(ms(100));
            assertFalse(r.done());
            r.cancel();
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, r::await);
            assertEquals(Set.of(ExceptionGroup.class), errorTypes(eg));
            assertEquals(Set.of(ArithmeticException.class), errorTypes((ExceptionGroup) eg.exceptions().getFirst()));
            return null;
        });
    }

    /** As test_taskgroup_11, with a sleeping child in the outer group. */
    @Test
    @DisplayName("test_taskgroup_12")
    void testTaskgroup12() {
        Asyncio.run(() -> {
            Task<Void> r = Asyncio.createTask(() -> TaskGroup.run(g1 -> {
                g1.createTask(() -> Asyncio.sleep(Duration.ofSeconds(10)));
                TaskGroup.run(g2 -> {
                    for (int i = 0; i < 5; i++) {
                        g2.createTask(() -> {
                            try {
                                Asyncio.sleep(Duration.ofSeconds(10));
                            } finally {
                                throw new ArithmeticException("/ by zero");
                            }
                        });
                    }
                    Asyncio.sleep(Duration.ofSeconds(10));
                });
            }));
            Asyncio.sleep(ms(100));
            assertFalse(r.done());
            r.cancel();
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, r::await);
            assertEquals(Set.of(ExceptionGroup.class), errorTypes(eg));
            assertEquals(Set.of(ArithmeticException.class), errorTypes((ExceptionGroup) eg.exceptions().getFirst()));
            return null;
        });
    }

    /** The outer group's child fails while the inner group waits: the inner group is cancelled, the outer raises. */
    @Test
    @DisplayName("test_taskgroup_13")
    void testTaskgroup13() {
        Asyncio.run(() -> {
            Task<Void> r = Asyncio.createTask(() -> TaskGroup.run(g1 -> {
                g1.createTask(() -> {
                    Asyncio.sleep(ms(100));
                    throw new IllegalArgumentException("0.1");
                });
                TaskGroup.run(g2 -> g2.createTask(() -> {
                    Asyncio.sleep(Duration.ofSeconds(10));
                    throw new IllegalArgumentException("10");
                }));
            }));
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, r::await);
            assertEquals(Set.of(IllegalArgumentException.class), errorTypes(eg));
            assertEquals("0.1", eg.exceptions().getFirst().getMessage());
            return null;
        });
    }

    /** The inner group's child fails: the inner group's ExceptionGroup is a failure of the outer group. */
    @Test
    @DisplayName("test_taskgroup_14")
    void testTaskgroup14() {
        Asyncio.run(() -> {
            Task<Void> r = Asyncio.createTask(() -> TaskGroup.run(g1 -> {
                g1.createTask(() -> {
                    Asyncio.sleep(Duration.ofSeconds(10));
                    throw new IllegalArgumentException("10");
                });
                TaskGroup.run(g2 -> g2.createTask(() -> {
                    Asyncio.sleep(ms(100));
                    throw new IllegalArgumentException("0.1");
                }));
            }));
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, r::await);
            assertEquals(Set.of(ExceptionGroup.class), errorTypes(eg));
            assertEquals(Set.of(IllegalArgumentException.class), errorTypes((ExceptionGroup) eg.exceptions().getFirst()));
            return null;
        });
    }

    /** Cancelled from outside, the body awaits in its handler while a child fails: the ExceptionGroup wins. */
    @Test
    @DisplayName("test_taskgroup_15")
    void testTaskgroup15() {
        Asyncio.run(() -> {
            Task<Void> r = Asyncio.createTask(() -> TaskGroup.run(g1 -> {
                g1.createTask(() -> {
                    Asyncio.sleep(ms(300));
                    throw new ArithmeticException("/ by zero");
                });
                try {
                    Asyncio.sleep(Duration.ofSeconds(10));
                } catch (CancelledError e) {
                    Asyncio.sleep(ms(500));
                    throw e;
                }
            }));
            Asyncio.sleep(ms(100));
            assertFalse(r.done());
            r.cancel();
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, r::await);
            assertEquals(Set.of(ArithmeticException.class), errorTypes(eg));
            return null;
        });
    }

    /** As test_taskgroup_15, with the group's task awaited by another task that is cancelled. */
    @Test
    @DisplayName("test_taskgroup_16")
    void testTaskgroup16() {
        Asyncio.run(() -> {
            Task<Void> r = Asyncio.createTask(() -> {
                Task<Void> t = Asyncio.createTask(() -> TaskGroup.run(g1 -> {
                    g1.createTask(() -> {
                        Asyncio.sleep(ms(300));
                        throw new ArithmeticException("/ by zero");
                    });
                    try {
                        Asyncio.sleep(Duration.ofSeconds(10));
                    } catch (CancelledError e) {
                        Asyncio.sleep(ms(500));
                        throw e;
                    }
                }));
                t.await();
            });
            Asyncio.sleep(ms(100));
            assertFalse(r.done());
            r.cancel();
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, r::await);
            assertEquals(Set.of(ArithmeticException.class), errorTypes(eg));
            return null;
        });
    }

    /** A group without tasks, cancelled from outside: the body sees the CancelledError and it goes on. */
    @Test
    @DisplayName("test_taskgroup_17")
    void testTaskgroup17() {
        int[] num = {0};
        Asyncio.run(() -> {
            Task<Void> r = Asyncio.createTask(() -> TaskGroup.run(g -> {
                try {
                    Asyncio.sleep(Duration.ofSeconds(10));
                } catch (CancelledError e) {
                    num[0] += 10;
                    throw e;
                }
            }));
            Asyncio.sleep(ms(100));
            assertFalse(r.done());
            r.cancel();
            assertThrows(CancelledError.class, r::await);
            return null;
        });
        assertEquals(10, num[0]);
    }

    /** The body answers its cancellation with another exception: that exception leaves in a group. */
    @Test
    @DisplayName("test_taskgroup_18")
    void testTaskgroup18() {
        int[] num = {0};
        Asyncio.run(() -> {
            Task<Void> r = Asyncio.createTask(() -> TaskGroup.run(g -> {
                try {
                    Asyncio.sleep(Duration.ofSeconds(10));
                } catch (CancelledError e) {
                    num[0] += 10;
                    throw new MyExc();
                }
            }));
            Asyncio.sleep(ms(100));
            assertFalse(r.done());
            r.cancel();
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, r::await);
            assertEquals(Set.of(MyExc.class), errorTypes(eg));
            return null;
        });
        assertEquals(10, num[0]);
    }

    /** A child fails and the body's clean-up throws: both are in the group. */
    @Test
    @DisplayName("test_taskgroup_19")
    void testTaskgroup19() {
        Asyncio.run(() -> {
            Task<Void> r = Asyncio.createTask(() -> TaskGroup.run(g -> {
                g.createTask(() -> {
                    Asyncio.sleep(ms(100));
                    throw new ArithmeticException("/ by zero");
                });
                try {
                    Asyncio.sleep(Duration.ofSeconds(10));
                } finally {
                    throw new MyExc();
                }
            }));
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, r::await);
            assertEquals(Set.of(MyExc.class, ArithmeticException.class), errorTypes(eg));
            return null;
        });
    }

    /**
     * A child fails and the body's clean-up throws an Error (Python's KeyboardInterrupt): the Error
     * leaves alone, after the group waited, and the child's failure goes to the exception handler.
     */
    @Test
    @DisplayName("test_taskgroup_20")
    void testTaskgroup20() {
        EventLoop loop = loop();
        List<Map<String, Object>> errors = errorsOf(loop);
        loop.runUntilComplete(loop.createTask(() -> {
            List<Task<Void>> child = new ArrayList<>();
            assertThrows(MyError.class, () -> TaskGroup.run(g -> {
                child.add(g.createTask(() -> {
                    Asyncio.sleep(ms(100));
                    throw new ArithmeticException("/ by zero");
                }));
                try {
                    Asyncio.sleep(Duration.ofSeconds(10));
                } finally {
                    throw new MyError();
                }
            }));
            assertTrue(child.getFirst().done());
            assertEquals(0, Asyncio.currentTask().cancelling());
            return null;
        }));
        assertEquals(1, errors.size(), errors.toString());
        assertInstanceOf(ArithmeticException.class, errors.getFirst().get("exception"));
    }

    /** A child fails with an Error while the body's clean-up throws: the Error leaves alone. */
    @Test
    @DisplayName("test_taskgroup_21a")
    void testTaskgroup21a() {
        EventLoop loop = loop();
        List<Map<String, Object>> errors = errorsOf(loop);
        loop.runUntilComplete(loop.createTask(() -> {
            assertThrows(MyError.class, () -> TaskGroup.run(g -> {
                g.createTask(() -> {
                    Asyncio.sleep(ms(100));
                    throw new MyError();
                });
                try {
                    Asyncio.sleep(Duration.ofSeconds(10));
                } finally {
                    throw new IllegalArgumentException("TypeError");
                }
            }));
            return null;
        }));
        assertEquals(1, errors.size(), errors.toString());
        assertInstanceOf(IllegalArgumentException.class, errors.getFirst().get("exception"));
    }

    /** The task running a block that only waits for its children is cancelled: CancelledError. */
    @Test
    @DisplayName("test_taskgroup_22")
    void testTaskgroup22() {
        Asyncio.run(() -> {
            Task<Void> r = Asyncio.createTask(() -> TaskGroup.run(g -> {
                g.createTask(() -> Asyncio.sleep(Duration.ofSeconds(1), 42));
                g.createTask(() -> Asyncio.sleep(Duration.ofSeconds(2), 11));
            }));
            Asyncio.sleep(ms(50));
            r.cancel();
            assertThrows(CancelledError.class, r::await);
            assertTrue(r.cancelled());
            return null;
        });
    }

    /** Finished tasks leave the group as they finish. */
    @Test
    @DisplayName("test_taskgroup_23")
    void testTaskgroup23() {
        Asyncio.run(() -> {
            TaskGroup.run(g -> {
                for (int count = 0; count < 10; count++) {
                    Asyncio.sleep(ms(100));
                    g.createTask(() -> Asyncio.sleep(ms(300)));
                    if (count == 5) {
                        int n = Integer.parseInt(g.toString().replaceAll(".*tasks=(\\d+).*", "$1"));
                        assertTrue(n < 5, g.toString());
                    }
                }
                Asyncio.sleep(ms(1350));
                assertEquals("TaskGroup[tasks=0]", g.toString());
            });
            return null;
        });
    }

    /** A child creates more tasks in the group: the group waits for them too. */
    @Test
    @DisplayName("test_taskgroup_24")
    void testTaskgroup24() {
        List<String> log = new ArrayList<>();
        Asyncio.run(() -> {
            TaskGroup.run(g -> g.createTask(() -> {
                Asyncio.sleep(ms(100));
                g.createTask(() -> log.add(Asyncio.sleep(ms(100), "0.1")));
                g.createTask(() -> log.add(Asyncio.sleep(ms(200), "0.2")));
            }));
            return null;
        });
        assertEquals(List.of("0.1", "0.2"), log);
    }

    /** Children that keep creating children, until another fails: the group ends with that failure. */
    @Test
    @DisplayName("test_taskgroup_25")
    void testTaskgroup25() {
        int[] nhydras = {0};
        Asyncio.run(() -> {
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> TaskGroup.run(g -> {
                class Hydra implements Runnable {
                    @Override
                    public void run() {
                        nhydras[0]++;
                        Asyncio.sleep(ms(10));
                        g.createTask(new Hydra());
                        g.createTask(new Hydra());
                    }
                }
                g.createTask(new Hydra());
                g.createTask(() -> {
                    while (nhydras[0] < 10) {
                        Asyncio.sleep(ms(15));
                    }
                    throw new ArithmeticException("/ by zero");
                });
            }));
            assertEquals(Set.of(ArithmeticException.class), errorTypes(eg));
            return null;
        });
        assertTrue(nhydras[0] >= 10, "hydras " + nhydras[0]);
    }

    /** createTask(body, name) names the task, and the body sees its name. */
    @Test
    @DisplayName("test_taskgroup_task_name")
    void testTaskgroupTaskName() {
        String[] seen = new String[1];
        Asyncio.run(() -> {
            TaskGroup.run(g -> {
                Task<Void> t = g.createTask(() -> {
                    seen[0] = Asyncio.currentTask().getName();
                    Asyncio.sleep(Duration.ZERO);
                }, "yolo");
                assertEquals("yolo", t.getName());
            });
            return null;
        });
        assertEquals("yolo", seen[0]);
    }

    /** After a failure, a child's cancellation handler cannot create tasks in the group. */
    @Test
    @DisplayName("test_taskgroup_no_create_task_after_failure")
    void testTaskgroupNoCreateTaskAfterFailure() {
        List<String> log = new ArrayList<>();
        Asyncio.run(() -> {
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> TaskGroup.run(g -> {
                g.createTask(() -> {
                    Asyncio.sleep(ms(1));
                    throw new ArithmeticException("/ by zero");
                });
                g.createTask(() -> {
                    try {
                        Asyncio.sleep(Duration.ofSeconds(1));
                    } catch (CancelledError e) {
                        var refused = assertThrows(IllegalStateException.class, () -> g.createTask(() -> 1));
                        log.add(refused.getMessage().endsWith(" is shutting down") ? "shutting down" : refused.getMessage());
                    }
                });
            }));
            assertEquals(Set.of(ArithmeticException.class), errorTypes(eg));
            return null;
        });
        assertEquals(List.of("shutting down"), log);
    }

    /** A group that ended takes no new task. */
    @Test
    @DisplayName("test_taskgroup_finished")
    void testTaskgroupFinished() {
        Asyncio.run(() -> {
            TaskGroup[] tg = new TaskGroup[1];
            TaskGroup.run(g -> tg[0] = g);
            var e = assertThrows(IllegalStateException.class, () -> tg[0].createTask(() -> 1));
            assertTrue(e.getMessage().endsWith("is finished"), e.getMessage());
            try (var g = new TaskGroup()) {
                tg[0] = g;
                g.join();
            }
            e = assertThrows(IllegalStateException.class, () -> tg[0].createTask(() -> 1));
            assertTrue(e.getMessage().endsWith("is finished"), e.getMessage());
            return null;
        });
    }

    /** A group needs a task to be its parent: not outside a loop, not in a callback. */
    @Test
    @DisplayName("test_taskgroup_without_parent_task")
    void testTaskgroupWithoutParentTask() {
        assertThrows(IllegalStateException.class, TaskGroup::new);
        assertThrows(IllegalStateException.class, () -> TaskGroup.run(g -> {}));
        EventLoop loop = loop();
        List<Throwable> seen = new ArrayList<>();
        loop.callSoon(() -> {
            try {
                new TaskGroup();
            } catch (Throwable e) {
                seen.add(e);
            }
            loop.stop();
        });
        loop.runForever();
        assertInstanceOf(IllegalStateException.class, seen.getFirst());
        assertTrue(seen.getFirst().getMessage().contains("parent task"), seen.getFirst().getMessage());
    }

    /** A group that cancelled its parent for a failure withdraws the request: cancelling() is back to 0. */
    @Test
    @DisplayName("test_cancelling_level_preserved")
    void testCancellingLevelPreserved() {
        Asyncio.run(() -> {
            assertThrows(ExceptionGroup.class, () -> TaskGroup.run(tg -> tg.createTask(() -> {
                Asyncio.sleep(Duration.ZERO);
                throw new IllegalStateException();
            })));
            assertEquals(0, Asyncio.currentTask().cancelling());
            Asyncio.sleep(Duration.ZERO);        // the cancellation did not leak out of the group
            return null;
        });
    }

    /** Nested groups that both cancelled the task: each withdraws its own request. */
    @Test
    @DisplayName("test_nested_groups_both_cancelled")
    void testNestedGroupsBothCancelled() {
        Asyncio.run(() -> {
            ExceptionGroup outer = assertThrows(ExceptionGroup.class, () -> TaskGroup.run(outerTg -> {
                ExceptionGroup inner = assertThrows(ExceptionGroup.class, () -> TaskGroup.run(innerTg -> {
                    innerTg.createTask(() -> {
                        Asyncio.sleep(Duration.ZERO);
                        throw new IllegalStateException();
                    });
                    outerTg.createTask(() -> {
                        Asyncio.sleep(Duration.ZERO);
                        throw new IllegalArgumentException();
                    });
                }));
                assertEquals(Set.of(IllegalStateException.class), errorTypes(inner));
                assertEquals(1, Asyncio.currentTask().cancelling());
            }));
            assertEquals(Set.of(IllegalArgumentException.class), errorTypes(outer));
            assertEquals(0, Asyncio.currentTask().cancelling());
            return null;
        });
    }

    /** A task cancelled from outside while its group fails: the group raises, the cancellation stays for the next await. */
    @Test
    @DisplayName("test_error_and_cancel")
    void testErrorAndCancel() {
        List<String> log = new ArrayList<>();
        Asyncio.run(() -> {
            Event event = new Event();
            Task<Void> t = Asyncio.createTask(() -> {
                ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> TaskGroup.run(tg -> {
                    tg.createTask(() -> {
                        event.set();
                        Asyncio.sleep(Duration.ZERO);
                        throw new IllegalStateException();
                    });
                    Asyncio.sleep(Duration.ofSeconds(1));
                    log.add("sleep in group not cancelled");
                }));
                assertEquals(Set.of(IllegalStateException.class), errorTypes(eg));
                assertEquals(1, Asyncio.currentTask().cancelling());
                Asyncio.sleep(Duration.ofSeconds(1));
                log.add("sleep after group not cancelled");
            });
            event.await();
            assertEquals(0, t.cancelling());
            t.cancel();
            assertEquals(1, t.cancelling());
            assertThrows(CancelledError.class, t::await);
            assertTrue(t.cancelled());
            return null;
        });
        assertEquals(List.of(), log);
    }

    /** The cancellation of the parent for a child's failure does not leak out of the group. */
    @Test
    @DisplayName("test_cancellation_does_not_leak_out_of_tg")
    void testCancellationDoesNotLeakOutOfTg() {
        Asyncio.run(() -> {
            assertThrows(ExceptionGroup.class, () -> TaskGroup.run(tg -> tg.createTask(() -> {
                throw new MyExc();
            })));
            Asyncio.sleep(Duration.ZERO);
            return null;
        });
    }

    /** A task the group created with an eager factory that fails at once cancels its sibling, never the creating body early. */
    @Test
    @DisplayName("test_cancels_task_if_created_during_creation")
    void testCancelsTaskIfCreatedDuringCreation() {
        boolean[] ran = {false};
        Asyncio.run(() -> {
            Asyncio.getRunningLoop().setTaskFactory(TaskFactory.EAGER);
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> TaskGroup.run(tg -> tg.createTask(() -> {
                tg.createTask(() -> {
                    throw new MyExc();
                });
                assertThrows(CancelledError.class, () -> {
                    Asyncio.sleep(Duration.ZERO);       // eager tasks are cancelled here
                    Asyncio.sleep(Duration.ZERO);       // lazy tasks here
                });
                ran[0] = true;
            })));
            assertEquals(Set.of(MyExc.class), errorTypes(eg));
            return null;
        });
        assertTrue(ran[0]);
    }

    /** call() returns the body's value once the tasks finished. */
    @Test
    void callReturnsTheBodysValue() {
        assertEquals(Integer.valueOf(53), Asyncio.run(() -> TaskGroup.call(tg -> {
            Task<Integer> a = tg.createTask(() -> Asyncio.sleep(ms(5), 42));
            Task<Integer> b = tg.createTask(() -> Asyncio.sleep(ms(10), 11));
            return a.await() + b.await();
        })));
    }

    /** join() and close() belong to the try-with-resources form. */
    @Test
    void runFormRefusesJoinAndClose() {
        Asyncio.run(() -> {
            TaskGroup.run(tg -> {
                assertThrows(IllegalStateException.class, tg::join);
                assertThrows(IllegalStateException.class, tg::close);
            });
            return null;
        });
    }

    // ---------------------------------------------------------------- the try-with-resources form

    /** join() waits for every task of the group. */
    @Test
    void joinWaitsForAllTasks() {
        List<Integer> r = Asyncio.run(() -> {
            Task<Integer> a;
            Task<Integer> b;
            try (var tg = new TaskGroup()) {
                a = tg.createTask(() -> Asyncio.sleep(ms(20), 1));
                b = tg.createTask(() -> Asyncio.sleep(ms(5), 2));
                tg.join();
                assertTrue(a.done() && b.done());
            }
            return List.of(a.result(), b.result());
        });
        assertEquals(List.of(1, 2), r);
    }

    /**
     * The first failure cancels the siblings and the body; in this form the body's await raises
     * the group's ExceptionGroup (once every task has finished), not a CancelledError.
     */
    @Test
    void failureCancelsSiblingsAndBody() {
        List<String> log = new ArrayList<>();
        Asyncio.run(() -> {
            List<Task<Void>> sibling = new ArrayList<>();
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> {
                try (var tg = new TaskGroup()) {
                    sibling.add(tg.createTask(() -> {
                        try {
                            Asyncio.sleep(Duration.ofHours(1));
                        } catch (CancelledError e) {
                            log.add("sibling cancelled");
                            throw e;
                        }
                    }));
                    tg.createTask(() -> {
                        Asyncio.sleep(ms(5));
                        throw new IllegalStateException("child failed");
                    });
                    try {
                        Asyncio.sleep(Duration.ofHours(1));
                    } catch (CancelledError e) {
                        log.add("body: CancelledError");
                        throw e;
                    } catch (ExceptionGroup e) {
                        log.add("body: ExceptionGroup, sibling done " + sibling.getFirst().done());
                        throw e;
                    }
                    log.add("body not cancelled");
                    tg.join();
                }
            });
            assertEquals(1, eg.exceptions().size());
            assertEquals("child failed", eg.exceptions().getFirst().getMessage());
            assertEquals(List.of(eg.exceptions().getFirst()), List.of(eg.getSuppressed()));
            assertTrue(sibling.getFirst().cancelled());
            assertEquals(0, Asyncio.currentTask().cancelling(), "the group withdrew its cancellation of the parent");
            Asyncio.sleep(Duration.ZERO);     // the parent task goes on normally
            log.add("parent goes on");
            return null;
        });
        assertEquals(List.of("sibling cancelled", "body: ExceptionGroup, sibling done true", "parent goes on"), log);
    }

    /** Several failures are all in the group that join() raises. */
    @Test
    void severalFailuresTogether() {
        Asyncio.run(() -> {
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> {
                try (var tg = new TaskGroup()) {
                    tg.createTask(() -> {
                        throw new IllegalStateException("one");
                    });
                    tg.createTask(() -> {
                        throw new IllegalArgumentException("two");
                    });
                    tg.join();
                }
            });
            assertEquals(2, eg.exceptions().size());
            assertEquals(1, eg.subgroup(IllegalArgumentException.class).exceptions().size());
            assertEquals("unhandled errors in a TaskGroup (2 sub-exceptions)", eg.getMessage());
            return null;
        });
    }

    /**
     * The body throws while a child serves forever: close() cancels the child, waits for it, and
     * its IllegalStateException is attached to the body's exception, which leaves the block.
     */
    @Test
    void bodyExceptionCancelsAServeForeverChild() {
        Asyncio.run(() -> {
            List<Task<Void>> server = new ArrayList<>();
            MyExc e = assertThrows(MyExc.class, () -> {
                try (var tg = new TaskGroup()) {
                    server.add(tg.createTask(() -> {
                        while (true) {
                            Asyncio.sleep(ms(1));
                        }
                    }));
                    Asyncio.sleep(ms(5));
                    if (server.size() == 1) {
                        throw new MyExc();
                    }
                    tg.join();
                }
            });
            assertTrue(server.getFirst().cancelled());
            assertEquals(1, e.getSuppressed().length);
            assertInstanceOf(IllegalStateException.class, e.getSuppressed()[0]);
            assertTrue(e.getSuppressed()[0].getMessage().contains("closed without join()"), e.getSuppressed()[0].getMessage());
            return null;
        });
    }

    /** A body that forgets join(): close() cancels the tasks, waits, and throws IllegalStateException. */
    @Test
    void forgottenJoin() {
        Asyncio.run(() -> {
            List<Task<Integer>> t = new ArrayList<>();
            var e = assertThrows(IllegalStateException.class, () -> {
                try (var tg = new TaskGroup()) {
                    t.add(tg.createTask(() -> Asyncio.sleep(Duration.ofHours(1), 1)));
                }
            });
            assertTrue(e.getMessage().contains("closed without join()"), e.getMessage());
            assertNull(e.getCause());
            assertTrue(t.getFirst().cancelled());
            return null;
        });
    }

    /** A forgotten join() with failed tasks: the IllegalStateException's cause is their ExceptionGroup. */
    @Test
    void forgottenJoinKeepsTheFailures() {
        Asyncio.run(() -> {
            var e = assertThrows(IllegalStateException.class, () -> {
                try (var tg = new TaskGroup()) {
                    tg.createTask(() -> {
                        throw new MyExc();
                    });
                    Asyncio.sleep(Duration.ZERO);          // the task fails; the group has not seen it yet
                }
            });
            ExceptionGroup eg = assertInstanceOf(ExceptionGroup.class, e.getCause());
            assertEquals(Set.of(MyExc.class), errorTypes(eg));
            assertEquals(0, Asyncio.currentTask().cancelling());
            return null;
        });
    }

    /** Cancelling the parent from outside cancels the group's tasks, awaits them, and stays a CancelledError. */
    @Test
    void outerCancellation() {
        List<String> log = new ArrayList<>();
        Asyncio.run(() -> {
            Task<Void> parent = Asyncio.createTask(() -> {
                try (var tg = new TaskGroup()) {
                    tg.createTask(() -> {
                        try {
                            Asyncio.sleep(Duration.ofHours(1));
                        } catch (CancelledError e) {
                            Asyncio.sleep(ms(5));
                            log.add("child cleaned up");
                            throw e;
                        }
                    });
                    Asyncio.sleep(Duration.ofHours(1));
                    tg.join();
                }
            });
            Asyncio.sleep(ms(1));
            parent.cancel("outer");
            CancelledError e = assertThrows(CancelledError.class, parent::await);
            assertEquals("outer", e.getMessage());
            assertTrue(parent.cancelled());
            return null;
        });
        assertEquals(List.of("child cleaned up"), log);
    }

    /** Cancelled from outside while in join(): the tasks are cancelled and awaited, and join() raises the CancelledError. */
    @Test
    void outerCancellationDuringJoin() {
        Asyncio.run(() -> {
            List<Task<Void>> child = new ArrayList<>();
            Task<Void> parent = Asyncio.createTask(() -> {
                try (var tg = new TaskGroup()) {
                    child.add(tg.createTask(() -> Asyncio.sleep(Duration.ofHours(1))));
                    tg.join();
                }
            });
            Asyncio.sleep(ms(1));
            parent.cancel();
            assertThrows(CancelledError.class, parent::await);
            assertTrue(child.getFirst().cancelled());
            return null;
        });
    }

    /** A task whose body ends with the group's ExceptionGroup fails with it; it is not cancelled. */
    @Test
    void groupFailureFailsTask() {
        Asyncio.run(() -> {
            Task<Void> t = Asyncio.createTask(() -> {
                try (var tg = new TaskGroup()) {
                    tg.createTask(() -> {
                        throw new IllegalStateException("x");
                    });
                    Asyncio.sleep(Duration.ofHours(1));
                    tg.join();
                }
            });
            assertThrows(ExceptionGroup.class, t::await);
            assertFalse(t.cancelled());
            assertInstanceOf(ExceptionGroup.class, t.exception());
            return null;
        });
    }

    /** join() twice is refused; a finished group takes no task. */
    @Test
    void joinTwice() {
        Asyncio.run(() -> {
            try (var tg = new TaskGroup()) {
                tg.join();
                var e = assertThrows(IllegalStateException.class, tg::join);
                assertTrue(e.getMessage().contains("already been joined"), e.getMessage());
                e = assertThrows(IllegalStateException.class, () -> tg.createTask(() -> 1));
                assertTrue(e.getMessage().contains("finished"), e.getMessage());
            }
            return null;
        });
    }

    /** A TaskGroup inside an expired timeout: the children are cancelled and TimeoutError leaves. */
    @Test
    void taskGroupInsideTimeout() {
        Asyncio.run(() -> {
            List<Task<Void>> child = new ArrayList<>();
            assertThrows(TimeoutError.class, () -> {
                try (var t = Asyncio.timeout(ms(10))) {
                    TaskGroup.run(tg -> {
                        child.add(tg.createTask(() -> Asyncio.sleep(Duration.ofHours(1))));
                        Asyncio.sleep(Duration.ofHours(1));
                    });
                }
            });
            assertTrue(child.getFirst().cancelled());
            assertEquals(0, Asyncio.currentTask().cancelling());
            return null;
        });
    }

    /** A try-with-resources group inside an expired timeout: join() sees the cancellation, and TimeoutError leaves. */
    @Test
    void joinInsideTimeout() {
        Asyncio.run(() -> {
            List<Task<Void>> child = new ArrayList<>();
            assertThrows(TimeoutError.class, () -> {
                try (var t = Asyncio.timeout(ms(10)); var tg = new TaskGroup()) {
                    child.add(tg.createTask(() -> Asyncio.sleep(Duration.ofHours(1))));
                    tg.join();
                }
            });
            assertTrue(child.getFirst().cancelled());
            assertEquals(0, Asyncio.currentTask().cancelling());
            return null;
        });
    }
}
