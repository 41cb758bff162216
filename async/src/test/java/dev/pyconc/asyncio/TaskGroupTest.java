package dev.pyconc.asyncio;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(60)
class TaskGroupTest extends LoopTesting {

    /** The end of the block waits for every task of the group. */
    @Test
    void waitsForAllTasks() {
        List<Integer> r = Asyncio.run(() -> {
            Task<Integer> a;
            Task<Integer> b;
            try (var tg = new TaskGroup()) {
                a = tg.createTask(() -> Asyncio.sleep(Duration.ofMillis(20), 1));
                b = tg.createTask(() -> Asyncio.sleep(Duration.ofMillis(5), 2));
            }
            assertTrue(a.done() && b.done());
            return List.of(a.result(), b.result());
        });
        assertEquals(List.of(1, 2), r);
    }

    /** The first failure cancels the siblings and the body; the failures leave the block as an ExceptionGroup. */
    @Test
    void failureCancelsSiblingsAndBody() {
        List<String> log = new ArrayList<>();
        Asyncio.run(() -> {
            Task<Void>[] sibling = new Task[1];
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> {
                try (var tg = new TaskGroup()) {
                    sibling[0] = tg.createTask(() -> {
                        try {
                            Asyncio.sleep(Duration.ofHours(1));
                        } catch (CancelledError e) {
                            log.add("sibling cancelled");
                            throw e;
                        }
                    });
                    tg.createTask(() -> {
                        Asyncio.sleep(Duration.ofMillis(5));
                        throw new IllegalStateException("child failed");
                    });
                    try {
                        Asyncio.sleep(Duration.ofHours(1));
                    } catch (CancelledError e) {
                        log.add("body cancelled");
                        throw e;
                    }
                    log.add("body not cancelled");
                }
            });
            assertEquals(1, eg.exceptions().size());
            assertEquals("child failed", eg.exceptions().getFirst().getMessage());
            assertEquals(List.of(eg.exceptions().getFirst()), List.of(eg.getSuppressed()));
            assertTrue(sibling[0].cancelled());
            assertEquals(0, Asyncio.currentTask().cancelling(), "the group withdrew its cancellation of the parent");
            Asyncio.sleep(Duration.ZERO);     // the parent task goes on normally
            log.add("parent goes on");
            return null;
        });
        assertEquals(List.of("sibling cancelled", "body cancelled", "parent goes on"), log);
    }

    /** Several failures are all in the group. */
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
                }
            });
            assertEquals(2, eg.exceptions().size());
            assertEquals(1, eg.subgroup(IllegalArgumentException.class).size());
            assertTrue(eg.getMessage().contains("2 sub-exceptions"), eg.getMessage());
            return null;
        });
    }

    /** Failures after the body finished are raised by close() itself. */
    @Test
    void failureAfterBodyEnds() {
        Asyncio.run(() -> {
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> {
                try (var tg = new TaskGroup()) {
                    tg.createTask(() -> {
                        Asyncio.sleep(Duration.ofMillis(5));
                        throw new IllegalStateException("late");
                    });
                }
            });
            assertEquals("late", eg.exceptions().getFirst().getMessage());
            return null;
        });
    }

    /** A task cancelled on its own is not a failure of the group. */
    @Test
    void cancelledChildIsNotAFailure() {
        Asyncio.run(() -> {
            try (var tg = new TaskGroup()) {
                Task<Void> t = tg.createTask(() -> Asyncio.sleep(Duration.ofHours(1)));
                tg.createTask(() -> Asyncio.sleep(Duration.ofMillis(5)));
                Asyncio.sleep(Duration.ZERO);
                t.cancel();
            }
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
                            Asyncio.sleep(Duration.ofMillis(5));
                            log.add("child cleaned up");
                            throw e;
                        }
                    });
                    Asyncio.sleep(Duration.ofHours(1));
                }
            });
            Asyncio.sleep(Duration.ofMillis(1));
            parent.cancel();
            CancelledError e = assertThrows(CancelledError.class, parent::await);
            assertFalse(e instanceof ExceptionGroup);
            assertTrue(parent.cancelled());
            return null;
        });
        assertEquals(List.of("child cleaned up"), log);
    }

    /** gather versus TaskGroup: gather lets a failure's siblings finish, the group cancels them. */
    @Test
    void gatherVersusTaskGroup() {
        Asyncio.run(() -> {
            Task<Integer> gSibling = Asyncio.createTask(() -> Asyncio.sleep(Duration.ofMillis(30), 1));
            Task<Integer> gBad = Asyncio.createTask(() -> {
                throw new IllegalStateException("g");
            });
            assertThrows(IllegalStateException.class, () -> Asyncio.gather(gSibling, gBad).await());
            assertEquals(1, gSibling.await(), "gather's sibling completed");

            Task<Integer>[] tgSibling = new Task[1];
            assertThrows(ExceptionGroup.class, () -> {
                try (var tg = new TaskGroup()) {
                    tgSibling[0] = tg.createTask(() -> Asyncio.sleep(Duration.ofMillis(30), 1));
                    tg.createTask(() -> {
                        throw new IllegalStateException("tg");
                    });
                }
            });
            assertTrue(tgSibling[0].cancelled(), "the group's sibling was cancelled");
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
                }
            });
            assertThrows(ExceptionGroup.class, t::await);
            assertFalse(t.cancelled());
            return null;
        });
    }

    /** createTask on a finished or aborting group is refused; a group outside a task is refused. */
    @Test
    void misuse() {
        assertThrows(IllegalStateException.class, TaskGroup::new);
        Asyncio.run(() -> {
            TaskGroup g;
            try (var tg = new TaskGroup()) {
                g = tg;
            }
            var e = assertThrows(IllegalStateException.class, () -> g.createTask(() -> 1));
            assertTrue(e.getMessage().contains("finished"), e.getMessage());
            return null;
        });
    }

    /** A TaskGroup inside an expired timeout: the children are cancelled and TimeoutError leaves. */
    @Test
    void taskGroupInsideTimeout() {
        Asyncio.run(() -> {
            Task<Void>[] child = new Task[1];
            assertThrows(TimeoutError.class, () -> {
                try (var t = Asyncio.timeout(Duration.ofMillis(10)); var tg = new TaskGroup()) {
                    child[0] = tg.createTask(() -> Asyncio.sleep(Duration.ofHours(1)));
                    Asyncio.sleep(Duration.ofHours(1));
                }
            });
            assertTrue(child[0].cancelled());
            return null;
        });
    }
}
