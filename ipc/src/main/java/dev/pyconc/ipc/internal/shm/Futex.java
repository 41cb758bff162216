package dev.pyconc.ipc.internal.shm;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;

/**
 * Linux futexes on mapped memory: {@link #await} sleeps while a 32-bit word holds an expected value,
 * {@link #wake} wakes sleepers of a word. The futexes are shared ones (no
 * {@code FUTEX_PRIVATE_FLAG}): the kernel keys them by file and offset, so they work between
 * processes and between two mappings of one file in the same process.
 *
 * <p>Use {@link dev.pyconc.ipc.internal.sync.WaitEngine}, not this class, to wait: it spins
 * first, keeps the "sleepers" flag that spares wakers a system call, drops the GIL and handles
 * interrupts and timeouts.
 * {@link #AVAILABLE} is false off Linux or without native access; then nobody sleeps in the kernel
 * and {@link dev.pyconc.ipc.internal.sync.WaitEngine} polls instead.
 *
 * <p>Memory consistency effects: a futex call orders nothing by itself; the volatile accesses of
 * {@link dev.pyconc.ipc.internal.sync.WaitEngine} around it do.
 */
public final class Futex {
    /** Whether futex calls are available. */
    public static final boolean AVAILABLE = Posix.AVAILABLE;

    /** {@link #await} results. */
    public static final int WOKEN = 0, TIMED_OUT = 1, VALUE_CHANGED = 2, INTERRUPTED = 3;

    private static final int FUTEX_WAIT = 0, FUTEX_WAKE = 1;

    private Futex() {}

    /**
     * Sleeps while the int at {@code offset} of {@code segment} equals {@code expected}, at most
     * {@code nanos} (positive), until woken.
     *
     * @return {@link #WOKEN}, {@link #TIMED_OUT}, {@link #VALUE_CHANGED} (the word differed on entry)
     *         or {@link #INTERRUPTED} (a signal arrived); all mean "look again"
     */
    public static int await(MemorySegment segment, long offset, int expected, long nanos) {
        long r = Posix.futex(address(segment, offset), FUTEX_WAIT, expected, Math.max(nanos, 1));
        Reference.reachabilityFence(segment);
        if (r >= 0) {
            return WOKEN;
        }
        return switch ((int) -r) {
            case Posix.ETIMEDOUT -> TIMED_OUT;
            case Posix.EAGAIN -> VALUE_CHANGED;
            case Posix.EINTR -> INTERRUPTED;
            default -> throw new IllegalStateException("futex wait failed: errno " + -r);
        };
    }

    /**
     * Wakes at most {@code count} threads sleeping on the int at {@code offset} of {@code segment}
     * ({@link Integer#MAX_VALUE} for all).
     *
     * @return how many were woken
     */
    public static int wake(MemorySegment segment, long offset, int count) {
        long r = Posix.futex(address(segment, offset), FUTEX_WAKE, count, 0L);
        Reference.reachabilityFence(segment);
        if (r < 0) {
            throw new IllegalStateException("futex wake failed: errno " + -r);
        }
        return (int) r;
    }

    private static long address(MemorySegment segment, long offset) {
        if (offset < 0 || offset > segment.byteSize() - 4 || ((segment.address() + offset) & 3) != 0) {
            throw new IllegalArgumentException("futex word at offset " + offset + " is outside the segment or unaligned");
        }
        if (!segment.scope().isAlive()) {
            throw new IllegalStateException("the mapping is closed");
        }
        return segment.address() + offset;
    }
}
