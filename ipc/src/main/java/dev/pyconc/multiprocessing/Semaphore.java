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
import dev.pyconc.ipc.internal.sync.SemaphoreDescriptor;
import dev.pyconc.ipc.internal.sync.SemaphoreEngine;
import dev.pyconc.ipc.internal.sync.WaitEngine;
import dev.pyconc.threading.Held;

/**
 * A counting semaphore shared by processes, Python's {@code multiprocessing.Semaphore}:
 * {@code acquire} takes one permit, waiting while none is left; {@code release} returns permits,
 * from any thread of any process. The count may grow above its initial value;
 * {@link BoundedSemaphore} refuses that.
 *
 * <pre> {@code
 * var slots = new Semaphore(3);        // at most 3 processes in the block at once
 * // in each process:
 * try (var _ = slots.enter()) {
 *     useTheScarceResource();
 * }
 * }</pre>
 *
 * <p>Permits held by a process that dies come back. The semaphore counts, for each process, the
 * permits it took and has not released itself; when a process dies (kill -9 included), a waiter
 * whose wait stalls returns those permits, wakes the other waiters and gets {@link OwnerDiedError}
 * (it took no permit; acquire again). Permits that one process takes and another releases, as when
 * a semaphore counts items handed from producers to consumers, are counted against the taker: if
 * a consumer dies, the items it took come back as permits. Use a queue for such hand-offs. At most
 * 240 processes may hold permits of one semaphore at the same time.
 *
 * <p>Memory consistency effects: actions in a thread prior to a {@code release()}
 * <i>happen-before</i> actions following a successful {@code acquire()} in another thread, in this
 * process or another. See <a href="package-summary.html#MemoryVisibility">Memory Visibility</a>.
 */
public class Semaphore implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    private final transient Segments.Mapped mapped;
    final transient MemorySegment memory;
    final transient long base = HeaderDescriptor.BODY;
    private final transient int[] slot = {-1};    // this process's holder slot, a hint
    private final transient Held held = this::release;

    /** A semaphore with one permit: Python's {@code Semaphore()}, whose value defaults to 1. */
    public Semaphore() {
        this(1);
    }

    /**
     * A semaphore with {@code value} permits.
     *
     * @throws IllegalArgumentException if {@code value} is negative
     */
    public Semaphore(int value) {
        this(create(HeaderDescriptor.SEMAPHORE, value, -1));
    }

    Semaphore(Segments.Mapped mapped) {
        this.mapped = mapped;
        this.memory = mapped.memory();
        SemaphoreEngine.validate(memory, base);
    }

    static Segments.Mapped create(int kind, int value, int bound) {
        if (value < 0) {
            throw new IllegalArgumentException("semaphore initial value must be >= 0, not " + value);
        }
        return Segments.create(kind, SemaphoreDescriptor.LENGTH,
                m -> SemaphoreEngine.init(m, HeaderDescriptor.BODY, value, bound));
    }

    /** Takes a permit, waiting as long as it takes. */
    public boolean acquire() {
        GilRuntime.checkpoint();
        ownerDied(SemaphoreEngine.acquire(memory, base, slot, WaitEngine.FOREVER));
        return true;
    }

    /**
     * Takes a permit, waiting at most {@code timeout}.
     *
     * @return {@code false} if the timeout elapsed first
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws OwnerDiedError if the wait returned the permits of a dead holder (none was taken)
     */
    public boolean acquire(Duration timeout) {
        long nanos = Timeouts.toNanos(timeout);
        GilRuntime.checkpoint();
        return ownerDied(SemaphoreEngine.acquire(memory, base, slot, nanos)) == SemaphoreEngine.ACQUIRED;
    }

    /** Takes a permit if one is available now; Python's {@code acquire(block=False)}. */
    public boolean tryAcquire() {
        GilRuntime.checkpoint();
        return SemaphoreEngine.tryAcquire(memory, base, slot);
    }

    /** Returns one permit. */
    public void release() {
        release(1);
    }

    /**
     * Returns {@code n} permits, waking as many waiters.
     *
     * @throws IllegalArgumentException if {@code n} is less than one
     * @throws IllegalStateException if the count would overflow (or, for a bounded semaphore,
     *         exceed its bound); no permit is returned then
     */
    public void release(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be one or more, not " + n);
        }
        GilRuntime.checkpoint();
        SemaphoreEngine.release(memory, base, slot, n);
    }

    /** Takes a permit and returns the scope whose {@code close()} returns it. */
    public Held enter() {
        acquire();
        return held;
    }

    /** The number of permits available now, Python's {@code get_value()}. */
    public int getValue() {
        return SemaphoreEngine.value(memory, base);
    }

    private int ownerDied(int result) {
        if (result >= SemaphoreEngine.OWNER_DIED) {
            int pid = result - SemaphoreEngine.OWNER_DIED;
            throw new OwnerDiedError("a process holding permits of this " + getClass().getSimpleName() + " (pid " + pid
                    + ") died; its permits are back but none was taken: acquire again", pid);
        }
        return result;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[value=" + getValue() + "]";
    }

    @Serial
    Object writeReplace() {      // package access: BoundedSemaphore inherits it
        return new Handle(mapped.name());
    }

    @Serial
    private void readObject(ObjectInputStream in) throws InvalidObjectException {
        throw new InvalidObjectException("a semaphore travels as its handle");
    }

    /** What a serialized Semaphore or BoundedSemaphore is: its segment; attaches in the receiving process. */
    private record Handle(String segment) implements Serializable {
        @Serial
        private Object readResolve() {
            Segments.Mapped m = Segments.attach(segment, SemaphoreDescriptor.LENGTH, HeaderDescriptor.SEMAPHORE,
                    HeaderDescriptor.BOUNDED_SEMAPHORE);
            return m.kind() == HeaderDescriptor.BOUNDED_SEMAPHORE ? new BoundedSemaphore(m) : new Semaphore(m);
        }
    }
}
