package dev.pyconc.asyncio;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(60)
class TaskTest extends LoopTesting {

    /** A task's result is its body's return value; its failure is what the body threw. */
    @Test
    void resultAndFailure() {
        assertEquals(5, Asyncio.run(() -> Asyncio.createTask(() -> 5).await()));
        var e = assertThrows(IllegalStateException.class, () -> Asyncio.run(() -> Asyncio.createTask(() -> {
            throw new IllegalStateException("body");
        }).await()));
        assertEquals("body", e.getMessage());
    }

    /** Tasks run in creation order, and only when the creator awaits. */
    @Test
    void tasksStartWhenCreatorAwaits() {
        List<String> log = new ArrayList<>();
        Asyncio.run(() -> {
            Asyncio.createTask(() -> log.add("a"));
            Asyncio.createTask(() -> log.add("b"));
            log.add("main");
            Asyncio.sleep(Duration.ZERO);
            log.add("main again");
            return null;
        });
        assertEquals(List.of("main", "a", "b", "main again"), log);
    }

    /** sleep(0) interleaves two tasks step by step. */
    @Test
    void sleepZeroYields() {
        List<String> log = new ArrayList<>();
        Asyncio.run(() -> {
            Task<Void> a = Asyncio.createTask(() -> {
                for (int i = 0; i < 3; i++) {
                    log.add("a" + i);
                    Asyncio.sleep(Duration.ZERO);
                }
            });
            Task<Void> b = Asyncio.createTask(() -> {
                for (int i = 0; i < 3; i++) {
                    log.add("b" + i);
                    Asyncio.sleep(Duration.ZERO);
                }
            });
            a.await();
            b.await();
            return null;
        });
        assertEquals(List.of("a0", "b0", "a1", "b1", "a2", "b2"), log);
    }

    /** cancel() raises CancelledError at the body's current await, with the message, and the task ends cancelled. */
    @Test
    void cancelAtCurrentAwait() {
        List<String> log = new ArrayList<>();
        Asyncio.run(() -> {
            Task<Void> t = Asyncio.createTask(() -> {
                try {
                    Asyncio.sleep(Duration.ofHours(1));
                } catch (CancelledError e) {
                    log.add("cancelled: " + e.getMessage());
                    throw e;
                }
            });
            Asyncio.sleep(Duration.ZERO);
            assertTrue(t.cancel("enough"));
            assertEquals(1, t.cancelling());
            CancelledError e = assertThrows(CancelledError.class, t::await);
            assertEquals("enough", e.getMessage());
            assertTrue(t.cancelled());
            assertFalse(t.cancel(), "a done task cannot be cancelled");
            return null;
        });
        assertEquals(List.of("cancelled: enough"), log);
    }

    /** A task cancelled before it started never runs its body. */
    @Test
    void cancelBeforeStart() {
        List<String> log = new ArrayList<>();
        Asyncio.run(() -> {
            Task<?> t = Asyncio.createTask(() -> log.add("ran"));
            t.cancel();
            assertThrows(CancelledError.class, t::await);
            assertTrue(t.cancelled());
            return null;
        });
        assertEquals(List.of(), log);
    }

    /** A task cancelled while running (no await in progress) gets CancelledError at its next await. */
    @Test
    void cancelSelfDeliveredAtNextAwait() {
        List<String> log = new ArrayList<>();
        Asyncio.run(() -> {
            Task<?> me = Asyncio.currentTask();
            me.cancel();
            log.add("still running");
            try {
                Asyncio.sleep(Duration.ofMillis(1));
                log.add("not reached");
            } catch (CancelledError e) {
                log.add("cancelled at await");
            }
            me.uncancel();
            Asyncio.sleep(Duration.ZERO);
            log.add("runs on after swallowing");
            return null;
        });
        assertEquals(List.of("still running", "cancelled at await", "runs on after swallowing"), log);
    }

    /** A body that swallows the cancellation finishes normally. */
    @Test
    void swallowedCancellationFinishesNormally() {
        int r = Asyncio.run(() -> {
            Task<Integer> t = Asyncio.createTask(() -> {
                try {
                    Asyncio.sleep(Duration.ofHours(1));
                } catch (CancelledError e) {
                    return 1;
                }
                return 0;
            });
            Asyncio.sleep(Duration.ZERO);
            t.cancel();
            return t.await();
        });
        assertEquals(1, r);
    }

    /** cancel() while the awaited future already completed still delivers CancelledError on resume. */
    @Test
    void cancelAfterWakeUpStillDelivers() {
        String r = Asyncio.run(() -> {
            Future<String> f = Asyncio.getRunningLoop().createFuture();
            Task<String> t = Asyncio.createTask(() -> {
                try {
                    return f.await();
                } catch (CancelledError e) {
                    return "cancelled";
                }
            });
            Asyncio.sleep(Duration.ZERO);
            f.setResult("value");     // t's wake-up is scheduled
            t.cancel();               // but the cancellation wins, as in Python
            return t.await();
        });
        assertEquals("cancelled", r);
    }

    /** Cancelling a task cancels the future it awaits. */
    @Test
    void cancelPropagatesToAwaitedFuture() {
        Asyncio.run(() -> {
            Future<String> f = Asyncio.getRunningLoop().createFuture();
            Task<String> t = Asyncio.createTask(() -> f.await());
            Asyncio.sleep(Duration.ZERO);
            t.cancel("m");
            assertTrue(f.cancelled());
            assertThrows(CancelledError.class, t::await);
            return null;
        });
    }

    /** cancelling() counts requests and uncancel() withdraws them. */
    @Test
    void cancellingAndUncancel() {
        Asyncio.run(() -> {
            Task<Void> t = Asyncio.createTask(() -> Asyncio.sleep(Duration.ofHours(1)));
            Asyncio.sleep(Duration.ZERO);
            t.cancel();
            t.cancel();
            assertEquals(2, t.cancelling());
            assertEquals(1, t.uncancel());
            assertEquals(0, t.uncancel());
            assertEquals(0, t.uncancel());
            assertThrows(CancelledError.class, t::await);
            return null;
        });
    }

    /** Tasks have names; currentTask() and allTasks() see them. */
    @Test
    void namesCurrentAndAllTasks() {
        Asyncio.run(() -> {
            Task<?> main = Asyncio.currentTask();
            assertTrue(main.getName().startsWith("Task-"));
            Task<Void> t = Asyncio.createTask(() -> Asyncio.sleep(Duration.ofMillis(5)), "worker");
            assertEquals("worker", t.getName());
            t.setName("renamed");
            assertEquals("renamed", t.getName());
            Set<Task<?>> all = Asyncio.allTasks();
            assertTrue(all.contains(main) && all.contains(t));
            assertEquals(2, all.size());
            t.await();
            assertEquals(Set.of(main), Asyncio.allTasks());
            assertTrue(t.toString().contains("renamed"));
            return null;
        });
    }

    /** setResult and setException are refused on tasks. */
    @Test
    void taskCannotBeCompletedFromOutside() {
        Asyncio.run(() -> {
            Task<Integer> t = Asyncio.createTask(() -> 1);
            assertThrows(IllegalStateException.class, () -> t.setResult(2));
            assertThrows(IllegalStateException.class, () -> t.setException(new RuntimeException()));
            assertEquals(1, t.await());
            return null;
        });
    }

    /** Eager tasks start inside createTask and run to their first suspension; a body that never suspends is done at once. */
    @Test
    void eagerStart() {
        List<String> log = new ArrayList<>();
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            Task<Integer> quick = loop.createTask(() -> {
                log.add("quick");
                return 1;
            }, null, true);
            assertTrue(quick.done(), "an eager body that never suspends is done when createTask returns");
            Task<Integer> slow = loop.createTask(() -> {
                log.add("slow starts");
                Asyncio.sleep(Duration.ZERO);
                log.add("slow ends");
                return 2;
            }, null, true);
            log.add("creator");
            assertEquals(1, quick.await());
            assertEquals(2, slow.await());
            loop.setTaskFactory(TaskFactory.EAGER);
            Task<Integer> viaFactory = loop.createTask(() -> 3);
            assertTrue(viaFactory.done());
            loop.setTaskFactory(null);
            return null;
        });
        assertEquals(List.of("quick", "slow starts", "creator", "slow ends"), log);
    }

    /** Eager start from a callback returns to the callback at the body's first suspension. */
    @Test
    void eagerStartFromCallback() {
        EventLoop loop = loop();
        List<String> log = new ArrayList<>();
        Future<Integer> out = loop.createFuture();
        loop.callSoon(() -> {
            Task<Integer> t = loop.createTask(() -> {
                log.add("body");
                Asyncio.sleep(Duration.ZERO);
                return 4;
            }, null, true);
            log.add("callback");
            t.addDoneCallback(x -> out.setResult(x.result()));
        });
        assertEquals(4, loop.runUntilComplete(out));
        assertEquals(List.of("body", "callback"), log);
    }

    /** A task body runs on a virtual thread. */
    @Test
    void bodyRunsOnVirtualThread() {
        assertTrue(Asyncio.run(() -> Thread.currentThread().isVirtual()));
    }

    /** Debug mode reports a task exception nobody retrieved, once the task is collected, to the exception handler. */
    @Test
    void neverRetrievedExceptionInDebug() {
        EventLoop loop = loop();
        loop.setDebug(true);
        var errors = errorsOf(loop);
        loop.runUntilComplete(() -> {
            loop.createTask(() -> {
                throw new IllegalStateException("nobody looks");
            });
            Task<Integer> seen = loop.createTask(() -> {
                throw new IllegalStateException("retrieved");
            });
            Asyncio.sleep(Duration.ofMillis(1));
            assertEquals("retrieved", seen.exception().getMessage());
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (errors.isEmpty() && System.nanoTime() < deadline) {
                System.gc();
                Asyncio.sleep(Duration.ofMillis(10));
            }
            Asyncio.sleep(Duration.ofMillis(50));
            return null;
        });
        assertEquals(1, errors.size(), "exactly the unretrieved exception is reported: " + errors);
        assertEquals("Task exception was never retrieved", errors.getFirst().get("message"));
        assertEquals("nobody looks", ((Throwable) errors.getFirst().get("exception")).getMessage());
    }

    /** A body that leaves its thread's interrupt flag set still suspends and resumes normally, flag kept. */
    @Test
    void interruptFlagOfBodyIsKept() {
        boolean[] flags = Asyncio.run(() -> {
            Thread.currentThread().interrupt();
            Task<Integer> other = Asyncio.createTask(() -> 1);
            other.await();                                  // suspends: the wait must not spin or fail
            Asyncio.sleep(Duration.ofMillis(5));
            return new boolean[] {Thread.interrupted(), other.result() == 1};
        });
        assertTrue(flags[0], "the interrupt flag was lost");
        assertTrue(flags[1]);
    }

    static void inner(Future<Void> gate) {
        gate.await();
    }

    static void outer(Future<Void> gate) {
        inner(gate);
    }

    /**
     * getStack() of a suspended task: the body's frames oldest first, from the body's own frame to
     * where it awaits, without the runtime's frames; limit counts from the body's frame.
     */
    @Test
    void getStackOfSuspendedTask() {
        EventLoop loop = loop();
        Future<Void> gate = loop.createFuture();
        Task<Void> t = loop.createTask(() -> outer(gate), "stacked");
        assertEquals(List.of(), t.getStack());           // not started: no frames
        List<String> names = loop.runUntilComplete(loop.createTask(() -> {
            Asyncio.sleep(Duration.ZERO);
            List<String> n = new ArrayList<>();
            for (StackTraceElement e : t.getStack()) {
                n.add(e.getMethodName());
            }
            assertEquals(List.of(t.getStack().get(0)), t.getStack(1));
            assertEquals(List.of(), t.getStack(0));
            var out = new java.io.ByteArrayOutputStream();
            t.printStack(2, new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
            String printed = out.toString(java.nio.charset.StandardCharsets.UTF_8);
            String[] lines = printed.split("\n");
            assertEquals("Stack for " + t + " (most recent call last):", lines[0]);
            assertEquals(3, lines.length, printed);
            assertEquals("\tat " + t.getStack().get(0), lines[1]);
            assertEquals("\tat " + t.getStack().get(1), lines[2]);
            assertTrue(lines[2].contains("dev.pyconc.asyncio.TaskTest.outer("), printed);
            gate.setResult(null);
            return n;
        }));
        assertEquals(3, names.size(), names.toString());
        assertTrue(names.get(0).startsWith("lambda$getStackOfSuspendedTask$"), names.toString());
        assertEquals(List.of("outer", "inner"), names.subList(1, 3));
        loop.runUntilComplete(t);
        assertEquals(List.of(), t.getStack());           // returned: no frames
    }

    /** getStack() of the running task itself, and of a task that failed: its exception's body frames. */
    @Test
    void getStackOfRunningAndFailedTask() {
        EventLoop loop = loop();
        Task<List<StackTraceElement>> self = loop.createTask(() -> Asyncio.currentTask().getStack());
        List<StackTraceElement> own = loop.runUntilComplete(self);
        assertEquals(1, own.size(), own.toString());
        assertTrue(own.get(0).getMethodName().startsWith("lambda$getStackOfRunningAndFailedTask$"), own.toString());

        Task<Integer> failed = loop.createTask(() -> Integer.parseInt("x"));
        assertThrows(NumberFormatException.class, () -> loop.runUntilComplete(failed));
        List<StackTraceElement> tb = failed.getStack();
        assertTrue(tb.get(0).getMethodName().startsWith("lambda$getStackOfRunningAndFailedTask$"), tb.toString());
        assertEquals("java.lang.NumberFormatException", tb.get(tb.size() - 1).getClassName());   // down to where it was thrown
        var out = new java.io.ByteArrayOutputStream();
        failed.printStack(1, new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
        String[] lines = out.toString(java.nio.charset.StandardCharsets.UTF_8).split("\n");
        assertEquals("Traceback for " + failed + " (most recent call last):", lines[0]);
        assertEquals("\tat " + tb.get(0), lines[1]);
        assertEquals(failed.exception().toString(), lines[2]);
        assertEquals(3, lines.length);

        Task<Void> cancelled = loop.createTask(() -> Asyncio.sleep(Duration.ofHours(1)));
        loop.callSoon(cancelled::cancel);
        assertThrows(CancelledError.class, () -> loop.runUntilComplete(cancelled));
        assertEquals(List.of(), cancelled.getStack());
        out.reset();
        cancelled.printStack(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
        assertEquals("No stack for " + cancelled + "\n", out.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

}
