package dev.pyconc.ipc.internal.shm;

/**
 * The layout of a table of liveness slots ({@link Liveness}): words in shared memory that the
 * kernel itself marks when the process holding one ends, however it ends. A slot is 16 bytes:
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |  Link: the holder's robust-list pointer to its next entry     |   0
 *  |  (long: an address in the holder's own address space)         |
 *  +---------------------------------------------------------------+
 *  |  Word: FREE (0), the id of the holder's keeper thread, or     |   8
 *  |  OWNER_DIED (bit 30) once the holder's process ended (int)    |
 *  +---------------------------------------------------------------+
 *  |                        reserved (int)                         |  12
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>A table is a run of consecutive slots starting at a multiple of 16. The word is a robust
 * futex word in the sense of Linux's robust futex ABI: the holder's link is an entry of the robust
 * list of its process's keeper thread, whose {@code futex_offset} is {@link #FUTEX_OFFSET}, and
 * when that thread exits (its process ended) the kernel replaces a word holding the thread's id by
 * {@link #OWNER_DIED}. A holder claims a slot by a CAS of its word (from {@link #FREE}, or from
 * {@link #OWNER_DIED}: its holder ended) to its keeper's id, then writes the link; it frees the
 * slot by unlinking it and writing {@link #FREE}. Anybody may read the word, with a volatile load.
 * Thread ids are below 2^22 on Linux, so bit 30 is never part of one.
 */
public final class LivenessDescriptor {
    /** Bytes of a slot. */
    public static final int SLOT = 16;
    /** Fields of a slot. */
    public static final int LINK = 0, WORD = 8;
    /** Where the word lies from the link: the robust list's {@code futex_offset}. */
    public static final long FUTEX_OFFSET = WORD - LINK;

    /** Word values: a free slot; the kernel's mark of a holder that ended (FUTEX_OWNER_DIED). */
    public static final int FREE = 0, OWNER_DIED = 0x4000_0000;

    private LivenessDescriptor() {}

    /** Where slot {@code index} of a table starts, from the table's start. */
    public static long slot(int index) {
        return (long) index * SLOT;
    }

    /** The bytes of a table of {@code slots} slots. */
    public static long length(int slots) {
        return (long) slots * SLOT;
    }
}
