package dev.pyconc.asyncio;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import dev.pyconc.builtins.InterruptedError;


@org.junit.jupiter.api.Timeout(60)
class RunnerTest extends LoopTesting {

    /** A runner runs several bodies on one loop and closes it at the end. */
    @Test
    void severalRunsOneLoop() {
        EventLoop loop;
        try (var runner = new Runner()) {
            loop = runner.getLoop();
            assertSame(loop, runner.run(Asyncio::getRunningLoop));
            assertEquals(2, runner.run(() -> 2));
        }
        assertTrue(loop.isClosed());
    }

    /** close() cancels and awaits the tasks still pending. */
    @Test
    void closeCancelsPending() {
        List<String> log = new ArrayList<>();
        try (var runner = new Runner()) {
            runner.run(() -> Asyncio.createTask(() -> {
                try {
                    Asyncio.sleep(Duration.ofHours(1));
                } catch (CancelledError e) {
                    log.add("cancelled at close");
                    throw e;
                }
            }));
        }
        assertEquals(List.of("cancelled at close"), log);
    }

    /** A closed runner refuses work; debug mode is passed to the loop. */
    @Test
    void closedAndDebug() {
        var runner = new Runner(true);
        assertTrue(runner.getLoop().getDebug());
        runner.close();
        runner.close();
        assertThrows(IllegalStateException.class, () -> runner.run(() -> 1));
    }

    /** Interrupting the thread that runs a body cancels the body's task. */
    @Test
    void interruptCancelsMainTask() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        List<String> log = new ArrayList<>();
        CountDownLatch started = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            try (var runner = new Runner()) {
                runner.run(() -> {
                    started.countDown();
                    try {
                        Asyncio.sleep(Duration.ofHours(1));
                    } catch (CancelledError e) {
                        log.add("main cancelled");
                        throw e;
                    }
                    return null;
                });
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        t.start();
        started.await();
        t.interrupt();
        t.join(20_000);
        assertFalse(t.isAlive());
        assertInstanceOf(InterruptedError.class, thrown.get());
        assertEquals(List.of("main cancelled"), log);
    }
}
