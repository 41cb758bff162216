package dev.pyconc.conformance.testmultiprocessing;

import static dev.pyconc.testing.Threads.until;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.multiprocessing.Process;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * _test_multiprocessing.py's {@code _TestPollEintr}, which CPython runs for processes only: a
 * signal that arrives while the parent joins a child JVM runs its handler and does not disturb the
 * join. Python's {@code signal.signal} is the JDK's {@code sun.misc.Signal} (module jdk.unsupported),
 * whose handlers run on a thread of their own, so the test waits for the handler to have run.
 */
class _TestPollEintr {
    @BeforeAll
    static void setUpModule() {
        Mp2Support.setUpModule();
    }

    /** CPython's {@code _killer}: SIGUSR1 to {@code pid} after 0.1 s. */
    static void killer(long pid) {
        Mp2Support.sleep(Duration.ofMillis(100));
        Mp2Support.kill("USR1", pid);
    }

    @Test
    @DisplayName("test_poll_eintr")
    void testPollEintr() {
        AtomicBoolean gotSignal = new AtomicBoolean();
        long pid = ProcessHandle.current().pid();
        Signal usr1 = new Signal("USR1");
        SignalHandler oldhandler = Signal.handle(usr1, s -> gotSignal.set(true));
        try {
            Process killer = new Process(() -> killer(pid));
            killer.start();
            Process p;
            try {
                p = new Process(() -> Mp2Support.sleep(Duration.ofSeconds(2)));
                p.start();
                p.join();
            } finally {
                killer.join();
            }
            assertEquals(0, killer.exitCode());
            until("the SIGUSR1 handler ran", gotSignal::get);
            assertEquals(0, p.exitCode());
        } finally {
            Signal.handle(usr1, oldhandler);
        }
    }
}
