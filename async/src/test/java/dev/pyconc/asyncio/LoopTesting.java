package dev.pyconc.asyncio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;

/**
 * The asyncio tests' one helper: after each test, no loop thread may be left alive, and loops made
 * with {@link #loop()} are closed. Tests also use {@link #errorsOf} to collect what reaches a loop's
 * exception handler.
 */
abstract class LoopTesting {
    private final List<EventLoop> loops = new ArrayList<>();

    /** A new loop, closed after the test. */
    EventLoop loop() {
        EventLoop l = Asyncio.newEventLoop();
        loops.add(l);
        return l;
    }

    /** Installs a handler on {@code loop} that records every context it gets. */
    static List<Map<String, Object>> errorsOf(EventLoop loop) {
        List<Map<String, Object>> errors = new CopyOnWriteArrayList<>();
        loop.setExceptionHandler((l, c) -> errors.add(c));
        return errors;
    }

    @AfterEach
    void noLoopThreadLeft() throws InterruptedException {
        for (EventLoop l : loops) {
            if (l.isRunning()) {
                l.stop();
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (l.isRunning() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            l.close();
        }
        loops.clear();
        List<String> alive = new ArrayList<>();
        long deadline = System.nanoTime() + 10_000_000_000L;
        do {
            alive.clear();
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().startsWith("asyncio-loop-") && t.isAlive()) {
                    alive.add(t.getName());
                }
            }
            for (String name : EventLoop.aliveLoopThreads()) {
                if (!alive.contains(name)) {
                    alive.add(name);             // virtual loop threads are not in getAllStackTraces
                }
            }
            if (alive.isEmpty()) {
                break;
            }
            Thread.sleep(5);
        } while (System.nanoTime() < deadline);
        assertEquals(List.of(), alive, "event loop threads left alive after the test");
    }
}
