package dev.pyconc.asyncio;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import dev.pyconc.core.internal.GilRuntime;
import dev.pyconc.gil.Gil;

@org.junit.jupiter.api.Timeout(60)
class GilModeTest extends LoopTesting {

    /** With the GIL on, task bodies and loop callbacks hold it, and a waiting loop lets another thread run. */
    @Test
    void loopAndTasksHoldTheGil() throws Exception {
        boolean wasEnabled = Gil.isEnabled();
        Gil.enable();
        try {
            AtomicLong spins = new AtomicLong();
            List<Boolean> held = new ArrayList<>();
            dev.pyconc.threading.Thread spinner = new dev.pyconc.threading.Thread(() -> {
                // runs only while it holds the GIL: it counts its checkpoints until told to stop
                while (!java.lang.Thread.currentThread().isInterrupted()) {
                    spins.incrementAndGet();
                    Gil.checkpoint();
                }
            }, "gil-spinner");
            spinner.start();
            long during = Asyncio.run(() -> {
                EventLoop loop = Asyncio.getRunningLoop();
                held.add(GilRuntime.heldByCurrentThread());                 // the main task
                Future<Boolean> inCallback = loop.createFuture();
                loop.callSoon(() -> inCallback.setResult(GilRuntime.heldByCurrentThread()));
                held.add(inCallback.await());                                // a callback on the loop thread
                Task<Boolean> other = Asyncio.createTask(GilRuntime::heldByCurrentThread);
                held.add(other.await());                                     // another task
                long before = spins.get();
                Asyncio.sleep(Duration.ofMillis(100));                       // the loop waits: the GIL is free
                long after = spins.get();
                held.add(GilRuntime.heldByCurrentThread());                  // and held again after the wait
                return after - before;
            });
            spinner.javaThread().interrupt();
            spinner.join();
            assertEquals(List.of(true, true, true, true), held);
            assertTrue(during > 0, "the other thread never ran while the loop waited");
        } finally {
            if (!wasEnabled) {
                Gil.disable();
            }
        }
    }
}
