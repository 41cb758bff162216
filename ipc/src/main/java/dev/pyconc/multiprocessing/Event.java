package dev.pyconc.multiprocessing;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

import dev.pyconc.core.internal.GilRuntime;
import dev.pyconc.core.internal.Timeouts;
import dev.pyconc.ipc.internal.shm.HeaderDescriptor;
import dev.pyconc.ipc.internal.shm.Segments;
import dev.pyconc.ipc.internal.shm.Words;
import dev.pyconc.ipc.internal.sync.EventDescriptor;
import dev.pyconc.ipc.internal.sync.WaitEngine;

/**
 * An event flag shared by processes, Python's {@code multiprocessing.Event}: threads of any
 * process that has it wait until some thread of any process sets it.
 *
 * <pre> {@code
 * var go = new Event();
 * // workers, in their processes:  go.await();  work();
 * go.set();    // starts every worker at once
 * }</pre>
 *
 * <p>As in Python, a waiter woken by {@link #set()} returns {@code true} even if the flag was
 * cleared again before it ran. The flag changes only by compare-and-set, so a process killed in
 * the middle of {@code set()} or {@code clear()} leaves it either set or clear, and a killed
 * waiter affects nobody. A waiter on another CPU sees a {@code set()} within about a
 * microsecond while it spins (20 us), and after a futex wake-up once it sleeps.
 *
 * <p>Memory consistency effects: actions prior to {@link #set()} <i>happen-before</i> the return
 * of every {@link #await()} it wakes and of every {@link #isSet()} that sees it, in any process.
 * See <a href="package-summary.html#MemoryVisibility">Memory Visibility</a>.
 */
public class Event implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    private static final long STATE = HeaderDescriptor.BODY + EventDescriptor.STATE;
    private static final long SLEEPERS = HeaderDescriptor.BODY + EventDescriptor.SLEEPERS;

    private final transient Segments.Mapped mapped;
    private final transient MemorySegment memory;

    /** A new event, not set, in a new shared segment. */
    public Event() {
        this(Segments.create(HeaderDescriptor.EVENT, EventDescriptor.LENGTH, m -> { }));
    }

    private Event(Segments.Mapped mapped) {
        this.mapped = mapped;
        this.memory = mapped.memory();
    }

    /** Whether the flag is set. */
    public boolean isSet() {
        return (Words.getIntVolatile(memory, STATE) & 1) != 0;
    }

    /** Sets the flag and wakes every waiting thread of every process. */
    public void set() {
        GilRuntime.checkpoint();
        for (;;) {
            int s = Words.getIntVolatile(memory, STATE);
            if ((s & 1) != 0) {
                return;     // already set: nobody waits
            }
            if (Words.compareAndSetInt(memory, STATE, s, s + 1)) {
                WaitEngine.wakeChanged(memory, STATE, SLEEPERS, Integer.MAX_VALUE);
                return;
            }
        }
    }

    /** Clears the flag: later waits block until the next {@link #set()}. */
    public void clear() {
        GilRuntime.checkpoint();
        for (;;) {
            int s = Words.getIntVolatile(memory, STATE);
            if ((s & 1) == 0 || Words.compareAndSetInt(memory, STATE, s, s + 1)) {
                return;
            }
        }
    }

    /**
     * Waits until the flag is set.
     *
     * @return {@code true}
     */
    public boolean await() {
        GilRuntime.checkpoint();
        return awaitNanos(WaitEngine.FOREVER);
    }

    /**
     * Waits until the flag is set or {@code timeout} elapses.
     *
     * @return {@code true} if the flag was set, or set while waiting; {@code false} on timeout
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public boolean await(Duration timeout) {
        long nanos = Timeouts.toNanos(timeout);
        GilRuntime.checkpoint();
        return awaitNanos(nanos);
    }

    private boolean awaitNanos(long nanos) {
        int seen = Words.getIntVolatile(memory, STATE);
        if ((seen & 1) != 0) {
            return true;
        }
        return WaitEngine.await(memory, STATE, SLEEPERS,
                stalled -> Words.getIntVolatile(memory, STATE) != seen ? 1 : 0, nanos) > 0;
    }

    @Override
    public String toString() {
        return "Event[" + (isSet() ? "set" : "unset") + "]";
    }

    @Serial
    private Object writeReplace() {
        return new Handle(mapped.name());
    }

    @Serial
    private void readObject(ObjectInputStream in) throws InvalidObjectException {
        throw new InvalidObjectException("an Event travels as its handle");
    }

    /** What a serialized Event is: its segment; attaches in the receiving process. */
    private record Handle(String segment) implements Serializable {
        @Serial
        private Object readResolve() {
            return new Event(Segments.attach(segment, EventDescriptor.LENGTH, HeaderDescriptor.EVENT));
        }
    }
}
