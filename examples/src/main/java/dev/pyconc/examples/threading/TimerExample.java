package dev.pyconc.examples.threading;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import dev.pyconc.threading.Event;
import dev.pyconc.threading.Timer;

/**
 * A periodic {@link Timer}: each tick schedules the next one, as Python programs do with
 * {@code threading.Timer}; after five ticks the last timer is not rescheduled. A second timer is
 * cancelled before it fires.
 */
public class TimerExample {
    private static final AtomicInteger TICKS = new AtomicInteger();
    private static final Event DONE = new Event();

    private static void tick() {
        int n = TICKS.incrementAndGet();
        System.out.println("  tick " + n);
        if (n < 5) {
            new Timer(Duration.ofMillis(100), TimerExample::tick).start();
        } else {
            DONE.set();
        }
    }

    public static void main(String[] args) {
        new Timer(Duration.ofMillis(100), TimerExample::tick).start();
        var never = new Timer(Duration.ofSeconds(5), () -> System.out.println("  this never prints"));
        never.start();
        never.cancel();
        DONE.await();
        never.join();
        System.out.println("5 ticks, 100 ms apart; the cancelled timer finished without running: " + never.finished());
    }
}
