package dev.pyconc.threading;

import java.time.Duration;

import dev.pyconc.core.internal.Timeouts;

/**
 * A thread that runs a function once, after an interval, unless cancelled first: Python's
 * {@code threading.Timer}.
 *
 * <pre> {@code
 * var t = new Timer(Duration.ofSeconds(30), () -> System.out.println("hello, world"));
 * t.start();
 * t.cancel();          // stops it, if it is still waiting
 * }</pre>
 *
 * <p>A periodic timer is a timer whose function starts the next one, or a thread that loops
 * on {@code Event.await(interval)}.
 *
 * <p>Memory consistency effects: as {@link Thread}; actions prior to {@link #cancel()}
 * <i>happen-before</i> the timer's decision not to run the function.
 */
public class Timer extends Thread {
    private final Duration interval;
    private final Runnable function;
    private final Event finished = new Event();

    /**
     * A timer that runs {@code function} {@code interval} after {@link #start()}.
     *
     * @throws IllegalArgumentException if {@code interval} is negative or {@code function} null
     */
    public Timer(Duration interval, Runnable function) {
        Timeouts.toNanos(interval, "interval");
        if (function == null) {
            throw new IllegalArgumentException("function must not be null");
        }
        this.interval = interval;
        this.function = function;
    }

    /** Stops the timer if it has not run its function yet; harmless afterwards. */
    public void cancel() {
        finished.set();
    }

    /** Whether the timer was cancelled or has run its function (Python's {@code finished} event). */
    public boolean finished() {
        return finished.isSet();
    }

    /** The interval. */
    public Duration interval() {
        return interval;
    }

    /** Waits for the interval, then runs the function unless cancelled. */
    @Override
    public void run() {
        finished.await(interval);
        if (!finished.isSet()) {
            function.run();
        }
        finished.set();
    }
}
