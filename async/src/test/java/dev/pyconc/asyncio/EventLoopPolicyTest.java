package dev.pyconc.asyncio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pyconc.futures.ThreadPoolExecutor;
import dev.pyconc.threading.Threading;

/**
 * The current event loop of a thread (Python 3.13's get_event_loop, set_event_loop and the
 * policies) and the debug mode of new loops from the environment. Each test starts with a new
 * default policy, so no loop is set in any thread, and puts a new one back after.
 */
@org.junit.jupiter.api.Timeout(120)
class EventLoopPolicyTest extends LoopTesting {

    /** A default policy that counts its setEventLoop calls, as CPython's tests do with a mock. */
    static final class CountingPolicy extends DefaultEventLoopPolicy {
        final List<EventLoop> sets = new ArrayList<>();

        @Override
        public void setEventLoop(EventLoop loop) {
            sets.add(loop);
            super.setEventLoop(loop);
        }
    }

    @BeforeEach
    void freshPolicy() {
        Asyncio.setEventLoopPolicy(new DefaultEventLoopPolicy());
    }

    @AfterEach
    void defaultPolicy() {
        Asyncio.setEventLoopPolicy(null);
        System.clearProperty(EventLoop.DEBUG_PROPERTY);
    }

    /** Runs {@code body} in a new thread named {@code name} and returns what it threw, or null. */
    private static Throwable inThread(String name, Runnable body) throws InterruptedException {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name(name).start(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        t.join();
        return thrown.get();
    }

    /** A loop set in a thread is that thread's current loop, and the policy's. */
    @Test
    void setEventLoopMakesLoopCurrent() {
        EventLoop loop = loop();
        Asyncio.setEventLoop(loop);
        assertSame(loop, Asyncio.getEventLoop());
        assertSame(loop, Asyncio.getEventLoopPolicy().getEventLoop());
        EventLoop other = loop();
        Asyncio.setEventLoop(other);
        assertSame(other, Asyncio.getEventLoop());
    }

    /** A loop set in one thread is not seen in another, which has none: the message names it. */
    @Test
    void currentLoopIsPerThread() throws InterruptedException {
        EventLoop loop = loop();
        Asyncio.setEventLoop(loop);
        Throwable e = inThread("worker-7", Asyncio::getEventLoop);
        assertEquals(IllegalStateException.class, e.getClass());
        assertEquals("There is no current event loop in thread 'worker-7'.", e.getMessage());

        EventLoop theirs = loop();
        AtomicReference<EventLoop> seen = new AtomicReference<>();
        assertEquals(null, inThread("worker-8", () -> {
            Asyncio.setEventLoop(theirs);
            seen.set(Asyncio.getEventLoop());
        }));
        assertSame(theirs, seen.get());
        assertSame(loop, Asyncio.getEventLoop());
    }

    /** In the main thread, getEventLoop() makes a loop the first time, sets it, and returns it after. */
    @Test
    void mainThreadGetsOneLoopMadeOnce() {
        Assumptions.assumeTrue(Thread.currentThread() == Threading.mainThread().javaThread(),
                "the test runs in the JVM's main thread");
        CountingPolicy policy = new CountingPolicy();
        Asyncio.setEventLoopPolicy(policy);
        EventLoop made = Asyncio.getEventLoop();
        try {
            assertSame(made, Asyncio.getEventLoop());
            assertSame(made, Asyncio.getEventLoop());
            assertEquals(List.of(made), policy.sets);
            assertFalse(made.isRunning());
            assertEquals(7, made.runUntilComplete(made.createTask(() -> 7)));
        } finally {
            made.close();
        }
    }

    /** After setEventLoop(null), even the main thread has no current loop and gets none made. */
    @Test
    void setNullThenGetRaisesInMainThreadToo() {
        Assumptions.assumeTrue(Thread.currentThread() == Threading.mainThread().javaThread(),
                "the test runs in the JVM's main thread");
        Asyncio.setEventLoop(null);
        IllegalStateException e = assertThrows(IllegalStateException.class, Asyncio::getEventLoop);
        assertEquals("There is no current event loop in thread 'MainThread'.", e.getMessage());
        EventLoop loop = loop();
        Asyncio.setEventLoop(loop);
        Asyncio.setEventLoop(null);
        e = assertThrows(IllegalStateException.class, Asyncio::getEventLoop);
        assertEquals("There is no current event loop in thread 'MainThread'.", e.getMessage());
    }

    /** A thread other than the main one never gets a loop made: it raises at once. */
    @Test
    void otherThreadGetsNoLoopMade() throws InterruptedException {
        CountingPolicy policy = new CountingPolicy();
        Asyncio.setEventLoopPolicy(policy);
        Throwable e = inThread("helper", Asyncio::getEventLoop);
        assertEquals("There is no current event loop in thread 'helper'.", e.getMessage());
        assertEquals(List.of(), policy.sets);
    }

    /** In a task body (and a callback) getEventLoop() is the running loop, not the thread's current one. */
    @Test
    void runningLoopComesFirst() {
        EventLoop current = loop();
        EventLoop running = loop();
        Asyncio.setEventLoop(current);
        assertSame(running, running.runUntilComplete(running.createTask(Asyncio::getEventLoop)));
        Future<EventLoop> fromCallback = running.createFuture();
        running.callSoon(() -> fromCallback.setResult(Asyncio.getEventLoop()));
        assertSame(running, running.runUntilComplete(fromCallback));
    }

    /**
     * test_events.py's test_get_event_loop_returns_running_loop: a policy whose getEventLoop raises
     * is asked outside a running loop, set loop or not, and never inside one.
     */
    @Test
    void getEventLoopReturnsRunningLoop() {
        final class TestError extends RuntimeException {}
        Asyncio.setEventLoopPolicy(new DefaultEventLoopPolicy() {
            @Override
            public EventLoop getEventLoop() {
                throw new TestError();
            }
        });
        EventLoop loop = loop();
        assertThrows(TestError.class, Asyncio::getEventLoop);
        Asyncio.setEventLoop(null);
        assertThrows(TestError.class, Asyncio::getEventLoop);
        assertThrows(IllegalStateException.class, Asyncio::getRunningLoop);
        loop.runUntilComplete(loop.createTask(() -> {
            assertSame(loop, Asyncio.getEventLoop());
            assertSame(loop, Asyncio.getRunningLoop());
            return null;
        }));
        Asyncio.setEventLoop(loop);
        assertThrows(TestError.class, Asyncio::getEventLoop);
        Asyncio.setEventLoop(null);
        assertThrows(TestError.class, Asyncio::getEventLoop);
    }

    /** setEventLoopPolicy(null) puts a new default policy back; newEventLoop asks the policy. */
    @Test
    void policyIsAskedForNewLoops() {
        List<EventLoop> made = new ArrayList<>();
        Asyncio.setEventLoopPolicy(new DefaultEventLoopPolicy() {
            @Override
            public EventLoop newEventLoop() {
                EventLoop l = super.newEventLoop();
                made.add(l);
                return l;
            }
        });
        EventLoop l = Asyncio.newEventLoop();
        try {
            assertEquals(List.of(l), made);
        } finally {
            l.close();
        }
        AbstractEventLoopPolicy before = Asyncio.getEventLoopPolicy();
        Asyncio.setEventLoopPolicy(null);
        AbstractEventLoopPolicy after = Asyncio.getEventLoopPolicy();
        assertNotSame(before, after);
        assertEquals(DefaultEventLoopPolicy.class, after.getClass());
        assertSame(after, Asyncio.getEventLoopPolicy());
    }

    /** A runner without a loop factory sets its loop current once, on its first run, and unsets it at close. */
    @Test
    void runnerSetsAndClearsOnce() {
        CountingPolicy policy = new CountingPolicy();
        Asyncio.setEventLoopPolicy(policy);
        EventLoop loop;
        try (Runner runner = new Runner()) {
            assertEquals(1, runner.run(() -> 1));
            assertSame(runner.getLoop(), Asyncio.getEventLoop());
            runner.run(() -> 2);
            loop = runner.getLoop();
            assertEquals(List.of(loop), policy.sets);
        }
        assertEquals(java.util.Arrays.asList(loop, null), policy.sets);
        assertTrue(loop.isClosed());

        policy.sets.clear();
        assertEquals(3, Asyncio.run(() -> 3));
        assertEquals(2, policy.sets.size());
        assertEquals(null, policy.sets.get(1));
    }

    /** With a loop factory, a runner leaves the current loop alone, as Python's does. */
    @Test
    void runnerWithFactoryLeavesCurrentLoop() {
        CountingPolicy policy = new CountingPolicy();
        Asyncio.setEventLoopPolicy(policy);
        EventLoop current = loop();
        Asyncio.setEventLoop(current);
        policy.sets.clear();
        assertEquals(5, Asyncio.run(() -> 5, EventLoop::new));
        assertEquals(List.of(), policy.sets);
        assertSame(current, Asyncio.getEventLoop());
    }

    /** new Future(), new StreamReader(), gather, shield, ensureFuture and wrapFuture take a set loop that is not running. */
    @Test
    void constructorsTakeTheCurrentLoop() throws Exception {
        EventLoop loop = loop();
        Asyncio.setEventLoop(loop);

        Future<String> f = new Future<>();
        assertSame(loop, f.getLoop());
        loop.callSoon(() -> f.setResult("set"));
        assertEquals("set", loop.runUntilComplete(f));

        StreamReader reader = new StreamReader();
        assertSame(loop, reader.loop);
        reader.feedData("line\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        reader.feedEof();
        assertEquals("line\n", new String(loop.runUntilComplete(loop.createTask(reader::readline)),
                java.nio.charset.StandardCharsets.US_ASCII));

        Future<List<Object>> none = Asyncio.gather(List.<Future<Object>>of());
        assertSame(loop, none.getLoop());
        assertEquals(List.of(), loop.runUntilComplete(none));

        Future<List<Integer>> two = Asyncio.gather(() -> 1, () -> 2);
        assertSame(loop, two.getLoop());
        assertEquals(List.of(1, 2), loop.runUntilComplete(two));

        Future<Integer> shielded = Asyncio.shield(() -> 42);
        assertSame(loop, shielded.getLoop());
        assertEquals(42, loop.runUntilComplete(shielded));

        Future<String> ensured = Asyncio.ensureFuture(() -> "task");
        assertSame(loop, ensured.getLoop());
        assertEquals("task", loop.runUntilComplete(ensured));

        try (ThreadPoolExecutor ex = new ThreadPoolExecutor(1)) {
            Future<String> wrapped = Asyncio.wrapFuture(ex.submit(() -> "oi"));
            assertSame(loop, wrapped.getLoop());
            assertEquals("oi", loop.runUntilComplete(wrapped));
        }
    }

    /** Without a loop running or set, those constructors raise Python's message. */
    @Test
    void constructorsWithoutLoopRaise() {
        Asyncio.setEventLoop(null);
        String expected = "There is no current event loop in thread '" + Threading.currentThread().name() + "'.";
        assertEquals(expected, assertThrows(IllegalStateException.class, Future::new).getMessage());
        assertEquals(expected, assertThrows(IllegalStateException.class, StreamReader::new).getMessage());
        assertEquals(expected, assertThrows(IllegalStateException.class, () -> Asyncio.gather(List.<Future<Object>>of())).getMessage());
        assertEquals(expected, assertThrows(IllegalStateException.class, () -> Asyncio.shield(() -> 1)).getMessage());
    }

    /** Functions Python defines on the running loop only still need one, whatever loop is current. */
    @Test
    void runningLoopOnlyFunctionsIgnoreTheCurrentLoop() {
        Asyncio.setEventLoop(loop());
        assertThrows(IllegalStateException.class, Asyncio::getRunningLoop);
        assertThrows(IllegalStateException.class, () -> Asyncio.createTask(() -> 1));
        assertThrows(IllegalStateException.class, () -> Asyncio.sleep(Duration.ZERO));
    }

    // ---------------------------------------------------------------- debug mode of new loops

    /** The system property sets new loops' debug mode; Runner() and run(main) leave it, a debug argument sets it. */
    @Test
    void debugDefaultFromProperty() {
        System.setProperty(EventLoop.DEBUG_PROPERTY, "true");
        try (EventLoop l = Asyncio.newEventLoop()) {
            assertTrue(l.getDebug());
        }
        assertTrue(Asyncio.run(() -> Asyncio.getRunningLoop().getDebug()));
        try (Runner r = new Runner()) {
            assertTrue(r.getLoop().getDebug());
        }
        assertFalse(Asyncio.run(() -> Asyncio.getRunningLoop().getDebug(), false));
        try (Runner r = new Runner(false)) {
            assertFalse(r.getLoop().getDebug());
        }

        System.setProperty(EventLoop.DEBUG_PROPERTY, "false");
        try (EventLoop l = Asyncio.newEventLoop()) {
            assertFalse(l.getDebug());
        }
        assertFalse(Asyncio.run(() -> Asyncio.getRunningLoop().getDebug()));
        assertTrue(Asyncio.run(() -> Asyncio.getRunningLoop().getDebug(), true));

        System.setProperty(EventLoop.DEBUG_PROPERTY, "maybe");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, Asyncio::newEventLoop);
        assertEquals("pyconc.asyncio.debug must be true or false (1/0, on/off, yes/no), not 'maybe'", e.getMessage());
    }

    private static final String PRINT_DEBUG = """
            public class Main {
                public static void main(String[] args) {
                    try (var loop = dev.pyconc.asyncio.Asyncio.newEventLoop()) {
                        System.out.println("newEventLoop " + loop.getDebug());
                    }
                    System.out.println("run " + dev.pyconc.asyncio.Asyncio.run(
                            () -> dev.pyconc.asyncio.Asyncio.getRunningLoop().getDebug()));
                }
            }
            """;

    private static String debugOfChild(Path dir, List<String> jvmOptions, String envValue) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("PYTHONASYNCIODEBUG", envValue);
        ChildJava.Result r = ChildJava.run(dir, PRINT_DEBUG, jvmOptions, env);
        assertEquals(0, r.exitCode(), r.out());
        return r.out();
    }

    /** PYTHONASYNCIODEBUG not empty turns new loops' debug mode on; the property overrides it either way. */
    @Test
    void debugDefaultFromEnvironment(@TempDir Path dir) throws Exception {
        assertEquals("newEventLoop false\nrun false\n", debugOfChild(dir, List.of(), null));
        assertEquals("newEventLoop false\nrun false\n", debugOfChild(dir, List.of(), ""));
        assertEquals("newEventLoop true\nrun true\n", debugOfChild(dir, List.of(), "1"));
        assertEquals("newEventLoop false\nrun false\n", debugOfChild(dir, List.of("-Dpyconc.asyncio.debug=false"), "1"));
    }

    /** In a fresh JVM's main thread, getEventLoop() makes one loop, logs one warning, and the loop runs. */
    @Test
    void mainThreadOfFreshJvmWarnsOnce(@TempDir Path dir) throws Exception {
        ChildJava.Result r = ChildJava.run(dir, """
                import dev.pyconc.asyncio.Asyncio;
                public class Main {
                    public static void main(String[] args) {
                        var loop = Asyncio.getEventLoop();
                        System.out.println("same " + (loop == Asyncio.getEventLoop()));
                        System.out.println("result " + loop.runUntilComplete(loop.createTask(() -> 6 * 7)));
                        loop.close();
                        Thread t = new Thread(() -> {
                            try {
                                Asyncio.getEventLoop();
                            } catch (IllegalStateException e) {
                                System.out.println(e.getMessage());
                            }
                        }, "second");
                        t.start();
                        try {
                            t.join();
                        } catch (InterruptedException e) {
                            throw new RuntimeException(e);
                        }
                    }
                }
                """, List.of("-Dorg.slf4j.simpleLogger.showThreadName=false"), Map.of());
        assertEquals(0, r.exitCode(), r.out());
        List<String> lines = r.out().lines().toList();
        assertEquals(1, lines.stream().filter(l -> l.startsWith("WARN dev.pyconc.asyncio.DefaultEventLoopPolicy - There is no current event loop")).count(), r.out());
        assertEquals(List.of("same true", "result 42", "There is no current event loop in thread 'second'."),
                lines.stream().filter(l -> !l.startsWith("WARN ")).toList(), r.out());
    }
}
