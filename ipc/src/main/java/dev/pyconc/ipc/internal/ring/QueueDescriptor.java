package dev.pyconc.ipc.internal.ring;

import dev.pyconc.ipc.internal.shm.HoldersDescriptor;

/**
 * The layout of a process queue's segment ({@code Queue}, {@code SimpleQueue},
 * {@code JoinableQueue}, a pool's task and result rings): who holds the queue, then its
 * {@link RingDescriptor ring}. Offsets are relative to the body, which starts at byte 64 of the
 * segment ({@link dev.pyconc.ipc.internal.shm.HeaderDescriptor#BODY}).
 *
 * <pre>
 *  +---------------------------------------------------------------+
 *  |           Holders: per process, and in flight                 |    0
 *  ...                  (HoldersDescriptor.LENGTH)               ...
 *  +---------------------------------------------------------------+
 *  |                    The ring (RingDescriptor)                  | 1088
 *  ...                                                           ...
 * </pre>
 *
 * <p>A queue is in use while a handle to it is in flight or a live process has an object open on
 * it ({@link dev.pyconc.ipc.internal.shm.Holders}); the call that finds it unused removes the
 * segment.
 */
public final class QueueDescriptor {
    public static final int HOLDERS = 0;
    /** Where the ring starts: byte 1152 of the segment, a multiple of 128 as {@link RingDescriptor} needs. */
    public static final int RING = HOLDERS + HoldersDescriptor.LENGTH;

    private QueueDescriptor() {}

    /** The body length of a queue whose ring has {@code capacity} data bytes. */
    public static long length(long capacity) {
        return RING + RingDescriptor.length(capacity);
    }
}
