package dev.pyconc.asyncio;

import static dev.pyconc.asyncio.StreamsTest.until;
import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@code loop.addSignalHandler} / {@code removeSignalHandler}, named after test_unix_events.py's
 * SelectorEventLoopSignalTests; each test sends itself a real signal.
 */
@org.junit.jupiter.api.Timeout(60)
class SignalTest extends LoopTesting {
    private static final long ME = ProcessHandle.current().pid();

    /** The handler of {@code sig} now (put back at once). */
    private static SignalHandler current(String name) {
        Signal s = new Signal(name);
        SignalHandler h = Signal.handle(s, SignalHandler.SIG_DFL);
        Signal.handle(s, h);
        return h;
    }

    /** A signal the process receives runs the callback on the loop, once per signal, until removed. */
    @Test
    @DisplayName("test_add_signal_handler")
    void testAddSignalHandler() {
        EventLoop loop = loop();
        List<String> log = new CopyOnWriteArrayList<>();
        loop.runUntilComplete(() -> {
            Future<Void> second = loop.createFuture();
            loop.addSignalHandler(Process.SIGUSR1, () -> {
                log.add(EventLoop.current() == loop ? "on the loop" : "elsewhere");
                if (log.size() == 2) {
                    second.setResult(null);
                } else {
                    Signals.kill(ME, Process.SIGUSR1);
                }
            });
            Signals.kill(ME, Process.SIGUSR1);
            second.await();
            assertTrue(loop.removeSignalHandler(Process.SIGUSR1));
            return null;
        });
        assertEquals(List.of("on the loop", "on the loop"), log);
    }

    /** Adding again replaces the callback; removing puts back the handler the signal had. */
    @Test
    @DisplayName("test_remove_signal_handler")
    void testRemoveSignalHandler() throws InterruptedException {
        EventLoop loop = loop();
        List<String> log = new CopyOnWriteArrayList<>();
        java.util.concurrent.CountDownLatch before = new java.util.concurrent.CountDownLatch(1);
        SignalHandler mine = s -> before.countDown();
        SignalHandler old = Signal.handle(new Signal("USR1"), mine);
        try {
            loop.runUntilComplete(() -> {
                Future<Void> got = loop.createFuture();
                loop.addSignalHandler(Process.SIGUSR1, () -> log.add("first"));
                loop.addSignalHandler(Process.SIGUSR1, () -> {
                    log.add("second");
                    got.setResult(null);
                });
                Signals.kill(ME, Process.SIGUSR1);
                got.await();
                assertTrue(loop.removeSignalHandler(Process.SIGUSR1));
                assertFalse(loop.removeSignalHandler(Process.SIGUSR1));
                return null;
            });
            assertSame(mine, current("USR1"));
            Signals.kill(ME, Process.SIGUSR1);
            assertTrue(before.await(20, java.util.concurrent.TimeUnit.SECONDS), "the previous handler runs again");
        } finally {
            Signal.handle(new Signal("USR1"), old);
        }
        assertEquals(List.of("second"), log);
    }

    /** SIGINT's JVM handler (the shutdown hooks) is back after removal. */
    @Test
    @DisplayName("test_remove_signal_handler_2")
    void testRemoveSignalHandler2() {
        SignalHandler jvm = current("INT");
        assertTrue(Signals.isJdkDefault(jvm), String.valueOf(jvm));
        EventLoop loop = loop();
        loop.runUntilComplete(() -> {
            loop.addSignalHandler(Process.SIGINT, () -> {});
            assertFalse(Signals.isJdkDefault(current("INT")));
            assertTrue(loop.removeSignalHandler(Process.SIGINT));
            return null;
        });
        assertTrue(Signals.isJdkDefault(current("INT")), String.valueOf(current("INT")));
    }

    /** Closing the loop removes its handlers and puts the previous ones back. */
    @Test
    @DisplayName("test_close")
    void testClose() {
        EventLoop loop = Asyncio.newEventLoop();
        loop.addSignalHandler(Process.SIGHUP, () -> {});
        loop.addSignalHandler(Process.SIGUSR1, () -> {});
        assertFalse(Signals.isJdkDefault(current("HUP")));
        loop.close();
        assertTrue(Signals.isJdkDefault(current("HUP")));
        assertTrue(Signals.isJdkDefault(current("USR1")));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> loop.addSignalHandler(Process.SIGUSR1, () -> {}));
        assertEquals("Event loop is closed", e.getMessage());
    }

    /** Numbers that are not signals, and signals the JVM cannot let go, are refused with the reason. */
    @Test
    @DisplayName("test_check_signal")
    void testCheckSignal() {
        EventLoop loop = loop();
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> loop.addSignalHandler(1000, () -> {}));
        assertEquals("invalid signal number 1000", bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> loop.removeSignalHandler(0));
        assertEquals("sig 9 (SIGKILL) cannot be caught: the kernel never lets a process catch it",
                assertThrows(IllegalStateException.class, () -> loop.addSignalHandler(Process.SIGKILL, () -> {})).getMessage());
        assertEquals("sig 11 (SIGSEGV) cannot be caught: HotSpot handles it itself, turning the faults of Java code and of mapped memory into Java errors",
                assertThrows(IllegalStateException.class, () -> loop.addSignalHandler(11, () -> {})).getMessage());
        assertEquals("sig 3 (SIGQUIT) cannot be caught: HotSpot uses it to print a thread dump (unless the JVM runs with -Xrs)",
                assertThrows(IllegalStateException.class, () -> loop.addSignalHandler(3, () -> {})).getMessage());
        IllegalStateException usr2 = assertThrows(IllegalStateException.class, () -> loop.addSignalHandler(Process.SIGUSR2, () -> {}));
        assertEquals("sig 12 (SIGUSR2) cannot be caught: HotSpot holds it with a native handler of its own "
                + "(SIGUSR2 is its thread suspend/resume signal on Linux; _JAVA_SR_SIGNUM moves it)", usr2.getMessage());
        assertFalse(loop.removeSignalHandler(Process.SIGUSR2));
    }

    /** An exception from a signal's callback goes to the loop's exception handler; the loop goes on. */
    @Test
    void testCallbackErrorToHandler() {
        EventLoop loop = loop();
        List<Map<String, Object>> errors = errorsOf(loop);
        int n = loop.runUntilComplete(() -> {
            loop.addSignalHandler(Process.SIGUSR1, () -> {
                throw new IllegalStateException("boom");
            });
            Signals.kill(ME, Process.SIGUSR1);
            until("the error is reported", () -> !errors.isEmpty());
            Asyncio.sleep(Duration.ofMillis(10));      // a second report would be a bug
            loop.removeSignalHandler(Process.SIGUSR1);
            return errors.size();
        });
        assertEquals(1, n);
        assertEquals("boom", ((Throwable) errors.get(0).get("exception")).getMessage());
    }
}
