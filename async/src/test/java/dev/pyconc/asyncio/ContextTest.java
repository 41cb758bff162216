package dev.pyconc.asyncio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.pyconc.contextvars.Context;
import dev.pyconc.contextvars.ContextVar;
import dev.pyconc.contextvars.Contextvars;
import dev.pyconc.futures.ThreadPoolExecutor;

/** Context variables in tasks, callbacks and threads of an event loop. */
class ContextTest extends LoopTesting {
    static final ContextVar<String> REQUEST = new ContextVar<>("request", "none");

    /** Each task runs in a copy of its creator's context: sets on either side stay on that side. */
    @Test
    void taskRunsInCopyOfCreatorsContext() {
        List<String> seen = new ArrayList<>();
        EventLoop loop = loop();
        loop.runUntilComplete(loop.createTask(() -> {
            REQUEST.set("outer");
            Task<Void> child = Asyncio.createTask(() -> {
                seen.add(REQUEST.get());
                Asyncio.sleep(Duration.ZERO);
                REQUEST.set("child");
                Asyncio.sleep(Duration.ZERO);
                seen.add(REQUEST.get());
            });
            REQUEST.set("outer after create");
            child.await();
            seen.add(REQUEST.get());
            return null;
        }));
        assertEquals(List.of("outer", "child", "outer after create"), seen);
    }

    /** Many tasks interleaving on one worker pool each keep their own value across their awaits. */
    @Test
    void interleavedTasksKeepTheirValues() {
        EventLoop loop = loop();
        List<String> wrong = new CopyOnWriteArrayList<>();
        loop.runUntilComplete(loop.createTask(() -> {
            List<Task<Void>> tasks = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String id = "r" + i;
                tasks.add(Asyncio.createTask(() -> {
                    for (int round = 0; round < 5; round++) {
                        REQUEST.set(id + "." + round);
                        Asyncio.sleep(Duration.ZERO);
                        if (!REQUEST.get().equals(id + "." + round)) {
                            wrong.add(id + " saw " + REQUEST.get());
                        }
                    }
                }));
            }
            Asyncio.gather(tasks).await();
            return null;
        }));
        assertEquals(List.of(), wrong);
    }

    /** A task given a context runs in it, and getContext() returns it; two tasks in turn may share one. */
    @Test
    void taskWithGivenContext() {
        EventLoop loop = loop();
        Context ctx = new Context();
        Task<Void> t1 = loop.createTask(() -> { REQUEST.set("one"); }, "t1", ctx);
        loop.runUntilComplete(t1);
        assertSame(ctx, t1.getContext());
        assertEquals("one", ctx.get(REQUEST));
        Task<String> t2 = loop.createTask(() -> REQUEST.get(), "t2", ctx);
        assertEquals("one", loop.runUntilComplete(t2));
    }

    /** A task whose context runs elsewhere (another thread's ctx.run) fails with IllegalStateException. */
    @Test
    void taskWhoseContextIsEnteredElsewhere() throws Exception {
        EventLoop loop = loop();
        Context ctx = new Context();
        Task<String> t = ctx.run(() -> loop.createTask(() -> "ran", null, ctx));
        // ctx is free again here: the task runs
        assertEquals("ran", loop.runUntilComplete(t));
        java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Thread holder = Thread.ofPlatform().start(() -> ctx.run(() -> {
            inside.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }));
        inside.await();
        Task<String> clash = loop.createTask(() -> "ran", null, ctx);
        Throwable e = loop.runUntilComplete(loop.createTask(() -> {
            try {
                clash.await();
                return null;
            } catch (IllegalStateException expected) {
                return expected;
            }
        }, null, new Context()));
        release.countDown();
        holder.join();
        assertInstanceOf(IllegalStateException.class, e);
        assertTrue(e.getMessage().startsWith("cannot enter context: " + ctx + " is already entered"), e.getMessage());
    }

    /** Callbacks run in a copy of the scheduler's context, or in the one given; Handle.getContext() says which. */
    @Test
    void callbacksRunInTheirContext() {
        EventLoop loop = loop();
        List<String> seen = new CopyOnWriteArrayList<>();
        Context given = new Context();
        given.run(() -> REQUEST.set("given"));
        Handle[] handles = new Handle[5];
        loop.runUntilComplete(loop.createTask(() -> {
            REQUEST.set("task");
            Future<Void> done = loop.createFuture();
            handles[0] = loop.callSoon(() -> {
                seen.add("soon " + REQUEST.get());
                REQUEST.set("changed by a callback");     // changes the callback's copy only
            });
            handles[1] = loop.callSoon(() -> seen.add("soon given " + REQUEST.get()), given);
            handles[2] = loop.callLater(Duration.ofMillis(1), () -> seen.add("later " + REQUEST.get()));
            handles[3] = loop.callAt(loop.time(), () -> seen.add("at given " + REQUEST.get()), given);
            Thread t = Thread.ofPlatform().start(() -> {
                REQUEST.set("thread");
                handles[4] = loop.callSoonThreadsafe(() -> {
                    seen.add("threadsafe " + REQUEST.get());
                    done.setResult(null);
                });
            });
            done.await();
            t.join();
            seen.add("task " + REQUEST.get());
            return null;
        }));
        assertEquals(List.of("soon task", "soon given given", "at given given", "later task", "threadsafe thread", "task task"),
                seen.stream().sorted((a, b) -> order(a) - order(b)).toList());
        assertSame(given, handles[1].getContext());
        assertSame(given, handles[3].getContext());
        assertEquals("changed by a callback", handles[0].getContext().get(REQUEST));
        assertNotSame(handles[0].getContext(), handles[2].getContext());
        assertEquals("task", handles[2].getContext().get(REQUEST));
    }

    private static int order(String s) {
        String[] order = {"soon task", "soon given", "at given", "later", "threadsafe", "task task"};
        for (int i = 0; i < order.length; i++) {
            if (s.startsWith(order[i])) {
                return i;
            }
        }
        return order.length;
    }

    /**
     * A done-callback runs in a copy of the context of the code that added it, or in the one
     * given; its sets reach neither the task that added it nor the task whose worker ran it.
     */
    @Test
    void doneCallbacksRunInTheirContext() {
        EventLoop loop = loop();
        List<String> seen = new CopyOnWriteArrayList<>();
        Context given = new Context();
        loop.runUntilComplete(loop.createTask(() -> {
            for (int j = 0; j < 3; j++) {
                Future<Void> fut = loop.createFuture();
                REQUEST.set("task " + j);
                fut.addDoneCallback(f -> {
                    seen.add("callback saw " + REQUEST.get());
                    REQUEST.set("set by a callback");
                });
                fut.addDoneCallback(f -> REQUEST.set("set in given"), given);
                loop.callSoon(() -> fut.setResult(null));
                fut.await();
                seen.add("task saw " + REQUEST.get());
                Asyncio.sleep(Duration.ZERO);
                seen.add("task still saw " + REQUEST.get());
            }
            return null;
        }));
        assertEquals(List.of("callback saw task 0", "task saw task 0", "task still saw task 0",
                "callback saw task 1", "task saw task 1", "task still saw task 1",
                "callback saw task 2", "task saw task 2", "task still saw task 2"), seen);
        assertEquals("set in given", given.get(REQUEST));
    }

    /** toThread carries the caller's context to the executor thread (a copy); runInExecutor does not, as in Python. */
    @Test
    void toThreadCarriesTheContextAndRunInExecutorDoesNot() {
        EventLoop loop = loop();
        try (ThreadPoolExecutor pool = new ThreadPoolExecutor(1)) {
            loop.setDefaultExecutor(pool);
            List<String> seen = loop.runUntilComplete(loop.createTask(() -> {
                REQUEST.set("caller");
                String inThread = Asyncio.toThread(() -> {
                    String v = REQUEST.get();
                    REQUEST.set("set in the thread");       // the copy's, not the caller's
                    return v;
                });
                String inExecutor = loop.runInExecutor(null, REQUEST::get).await();
                return List.of(inThread, inExecutor, REQUEST.get());
            }));
            assertEquals(List.of("caller", "none", "caller"), seen);
        }
    }

    /** A Runner's bodies share one context, so a value set by one run is seen by the next. */
    @Test
    void runnerKeepsItsContext() {
        try (Runner runner = new Runner()) {
            assertEquals("none", runner.run(() -> {
                String old = REQUEST.get();
                REQUEST.set("first");
                return old;
            }));
            assertEquals("first", runner.run(REQUEST::get));
            Context other = new Context();
            assertEquals("none", runner.run(REQUEST::get, other));
        }
        assertEquals("none", REQUEST.get());
    }

    /** A TaskGroup's task runs in the given context. */
    @Test
    void taskGroupTaskContext() {
        EventLoop loop = loop();
        Context ctx = Contextvars.copyContext();
        loop.runUntilComplete(loop.createTask(() -> {
            try (TaskGroup g = new TaskGroup()) {
                g.createTask(() -> { REQUEST.set("in group"); }, null, ctx).await();
                g.join();
            }
            return null;
        }));
        assertEquals("in group", ctx.get(REQUEST));
    }

    /**
     * In a JVM where no ContextVar existed when the tasks and callbacks were scheduled, their
     * contexts are made when first needed; a variable created and set later, in a task or a
     * callback, still changes only that task's or callback's context.
     */
    @Test
    void contextsOfTasksScheduledBeforeAnyVariableExisted() throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        String modulePath = System.getProperty("jdk.module.path", "");
        String classPath = System.getProperty("java.class.path", "");
        command.add(modulePath.isEmpty() ? classPath : modulePath + File.pathSeparator + classPath);
        command.add(LazyContexts.class.getName());
        java.lang.Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM did not end");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.endsWith("a=A b=none callback=none main=none later=none empty=true\n"), out);
    }

    /** The child JVM of {@link #contextsOfTasksScheduledBeforeAnyVariableExisted}. */
    static final class LazyContexts {
        static ContextVar<String> var;

        public static void main(String[] args) {
            StringBuilder out = new StringBuilder();
            Asyncio.run(() -> {
                EventLoop loop = Asyncio.getRunningLoop();
                Future<Void> created = loop.createFuture();
                Handle[] h = new Handle[1];
                Task<String> a = Asyncio.createTask(() -> {
                    var = new ContextVar<>("late", "none");     // the JVM's first ContextVar
                    var.set("A");
                    created.setResult(null);
                    Asyncio.sleep(Duration.ZERO);
                    return var.get();
                });
                Task<String> b = Asyncio.createTask(() -> {
                    created.await();
                    return var.get();
                });
                Future<String> cb = loop.createFuture();
                h[0] = loop.callLater(Duration.ofMillis(5), () -> {
                    var.set("set by a callback");
                    cb.setResult(null);
                });
                Future<String> later = loop.createFuture();
                loop.callLater(Duration.ofMillis(20), () -> later.setResult(var.get()));
                out.append("a=").append(a.await()).append(" b=").append(b.await());
                cb.await();
                out.append(" callback=").append(var.get()).append(" main=").append(var.get())
                        .append(" later=").append(later.await())
                        .append(" empty=").append(h[0].getContext().get(var) != null && Contextvars.copyContext().isEmpty());
                return null;
            });
            System.out.println(out);
        }
    }
}
