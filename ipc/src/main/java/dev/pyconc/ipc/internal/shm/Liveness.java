package dev.pyconc.ipc.internal.shm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Marks in shared memory that the kernel itself sets when this process ends, however it ends
 * (kill -9 included), so that another process learns of the end with one memory load and no
 * system call: how a pipe's sender sees at every send that its reader's process is gone. A process
 * that holds something (a pipe's end) claims a slot of the thing's table of
 * {@link LivenessDescriptor liveness slots} and publishes the slot's number where its peers look;
 * a peer asks {@link #ended} at every operation.
 *
 * <pre> {@code
 * Liveness.Claim claim = Liveness.claim(mapped, table, 8);         // the holder, while it holds
 * Words.putIntVolatile(memory, whereSlotIsPublished, claim.number());
 * boolean gone = Liveness.ended(memory, table, 8, Words.getIntVolatile(memory, whereSlotIsPublished));   // a peer
 * claim.release();                                                  // the holder, when done
 * }</pre>
 *
 * <p>A mark is exact: it is set once the process has ended (before its parent can reap it, so a
 * zombie is seen as ended), never for a live one (a stopped process is not marked), and a reused
 * PID cannot fake or hide it. It exists on Linux (x86-64, AArch64) when ipc has native access
 * ({@link Posix#AVAILABLE}). Elsewhere, or when a process already holds {@link #LIMIT} claims,
 * {@link #claim} returns {@link #NONE}, whose number is 0, and peers must fall back to their other
 * checks (such as {@link ProcessId#isAlive} when a wait stalls). It is the holder's process that
 * must be able to claim: a peer only reads memory, and reads marks whatever its own access.
 *
 * <p>Memory consistency effects: none beyond the accesses themselves: {@link #ended} is a volatile
 * read of a word that the holder's claim wrote with a CAS and that the kernel marks with an
 * atomic compare-and-exchange.
 */
public final class Liveness {
    /*
     * Overview.
     *
     * Why robust futexes. A sender must know at every send whether its reader's process has ended,
     * and a send costs well under a microsecond. Asking the kernel each time is a system call:
     * measured on the development VM (2 vCPUs), poll() of a pidfd with timeout 0 took 1.4 to 3.6
     * us, kill(pid, 0) 1.6 to 4.1 us (and it takes a zombie for alive), reading /proc/<pid>/stat
     * 47 us; waitid() on a pidfd answers only for one's own children. Rate-limiting such a check
     * in time would let the sends of each interval be lost unseen. Linux's robust futex lists turn
     * the question around: when a thread exits, the kernel walks the list that thread registered
     * and marks every futex word holding its thread id with FUTEX_OWNER_DIED. So each process runs
     * one keeper thread that registers a list and parks for ever; a claim puts the keeper's id in a
     * slot's word and links the slot into the list; the process's end (every thread exits then,
     * the keeper too) marks the word; a peer reads it with one volatile load, from a cache line
     * that is written only when a holder comes or goes.
     *
     *   HEAD, native memory of this process          slot in segment A      slot in segment B
     *   +------+------------+---------+             +------+-----------+   +------+-----------+
     *   | next | offset = 8 | pending |  --next-->   | link | word: tid |-->| link | word: tid |--> HEAD
     *   +------+------------+---------+             +------+-----------+   +------+-----------+
     *
     *   claim:   pending = e; CAS(word, FREE or OWNER_DIED -> tid); e.link = HEAD.next; HEAD.next = e;
     *            pending = 0
     *   release: pending = e; predecessor.link = e.link; CAS(word, tid -> FREE); pending = 0
     *
     * Every change of the list is one aligned 8-byte volatile store, so the list is whole at each
     * instant, and `pending` names the entry being linked or unlinked: the kernel handles it too,
     * so a process killed between the CAS and the link still gets its word marked, and one killed
     * before the CAS leaves the word alone (a FREE pending word is only woken). The kernel stops at
     * 2048 entries (ROBUST_LIST_LIMIT): LIMIT stays below. LINKED mirrors the native list (index 0
     * is HEAD.next) so that release finds the predecessor, and CLAIMS counts this process's holders
     * of each (segment, table), which share one slot. A claim holds its segment's Mapped until it
     * is released, so that the kernel never follows a link into memory that was unmapped, or
     * mapped again for something else. LOCK guards LINKED, CLAIMS, the holder counts and every
     * store into the list.
     *
     * The keeper replaces glibc's robust list of its own thread only; it never takes a pthread
     * mutex, and every other thread keeps glibc's list. The links lie in shared memory, so a
     * process that writes garbage into a segment can bend this process's list; the kernel then,
     * at this process's end, follows it within this process's own address space, at most 2048
     * steps, stopping at the first unmapped address, and marks only words that hold the keeper's
     * id. Segments are 0600: such a process is the same user, who could do worse.
     */

    private static final Logger LOG = LoggerFactory.getLogger(Liveness.class);

    /** Claims a process holds at most at once; the kernel walks at most 2048 entries of a list. */
    public static final int LIMIT = 2000;

    /** No claim: the holder's end will not be marked. Its number is 0; releasing it does nothing. */
    public static final Claim NONE = new Claim(null, 0, -1, 0);

    /* struct robust_list_head: list.next, futex_offset, list_op_pending. */
    private static final long HEAD_NEXT = 0, HEAD_FUTEX_OFFSET = 8, HEAD_PENDING = 16, HEAD_LENGTH = 24;

    private static final Object LOCK = new Object();
    private static final Map<Key, Claim> CLAIMS = new HashMap<>();    // guarded by LOCK
    private static final List<Claim> LINKED = new ArrayList<>();     // guarded by LOCK; the native list's order

    private Liveness() {}

    /** A claimed table: a segment's mapping (identity) and the table's offset in it. */
    private record Key(Segments.Mapped mapped, long table) {}

    /** The keeper thread, started when this process first claims. */
    private static final class Keeper {
        private static final Registered REGISTERED = register();
        /** The registered robust_list_head, or null if marks are unavailable. */
        static final MemorySegment HEAD = REGISTERED.head();
        /** The keeper's thread id, the value of a claimed word. */
        static final int TID = REGISTERED.tid();
    }

    /** What the keeper registered: its list's head (null: nothing) and its thread id. */
    private record Registered(MemorySegment head, int tid) {}

    /**
     * Starts the keeper and waits until it has registered its list. (Not in Keeper: the keeper's
     * code must not wait for the initialization of the class whose initializer waits for it.)
     */
    private static Registered register() {
        if (!Posix.AVAILABLE) {
            return new Registered(null, 0);
        }
        MemorySegment head = Arena.global().allocate(HEAD_LENGTH, 8);
        Words.putLong(head, HEAD_NEXT, head.address());      // an empty list points at its head
        Words.putLong(head, HEAD_FUTEX_OFFSET, LivenessDescriptor.FUTEX_OFFSET);
        Words.putLong(head, HEAD_PENDING, 0);
        int[] result = new int[1];
        CountDownLatch registered = new CountDownLatch(1);
        Thread.ofPlatform().daemon().name("pyconc-liveness").start(() -> keep(head, result, registered));
        boolean interrupted = false;
        for (;;) {
            try {
                registered.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (result[0] <= 0) {
            LOG.warn("set_robust_list failed (errno {}): a pipe's peer learns that this process ended only when it"
                    + " waits", -result[0]);
            return new Registered(null, 0);
        }
        return new Registered(head, result[0]);
    }

    /** The keeper: registers {@code head} as its robust list, reports its id (or -errno), then parks for ever. */
    private static void keep(MemorySegment head, int[] result, CountDownLatch registered) {
        try {
            int tid = Posix.gettid();
            int r = Posix.setRobustList(head.address(), HEAD_LENGTH);
            result[0] = r == 0 ? tid : r;
        } catch (RuntimeException | Error e) {
            result[0] = -Posix.EINVAL;
            LOG.debug("robust list registration failed", e);
        } finally {
            registered.countDown();
        }
        if (result[0] > 0) {
            for (;;) {
                LockSupport.park();
            }
        }
    }

    /** The Cleaner (and its thread) of claims whose holder may be dropped unclosed, made at first use. */
    private static final class Cleaning {
        static final Cleaner CLEANER = Cleaner.create();
    }

    /**
     * Claims a slot of the table of {@code slots} slots at offset {@code table} of {@code mapped}
     * for this process, or returns this process's claim of that table with one more holder.
     *
     * @return the claim, or {@link #NONE} if marks are unavailable, every slot is held by a live
     *         process, or this process holds {@link #LIMIT} claims
     */
    public static Claim claim(Segments.Mapped mapped, long table, int slots) {
        MemorySegment head = Keeper.HEAD;
        if (head == null) {
            return NONE;
        }
        MemorySegment m = mapped.memory();
        if (table < 0 || (table & 15) != 0 || table + LivenessDescriptor.length(slots) > m.byteSize()) {
            throw new IllegalArgumentException("no table of " + slots + " liveness slots at offset " + table);
        }
        Key key = new Key(mapped, table);
        synchronized (LOCK) {
            Claim held = CLAIMS.get(key);
            if (held != null) {
                held.holders++;
                return held;
            }
            if (LINKED.size() >= LIMIT) {
                return NONE;
            }
            for (int i = 0; i < slots; i++) {
                long slot = table + LivenessDescriptor.slot(i);
                long word = slot + LivenessDescriptor.WORD;
                int w = Words.getIntVolatile(m, word);
                if (w != LivenessDescriptor.FREE && w != LivenessDescriptor.OWNER_DIED) {
                    continue;
                }
                long entry = m.address() + slot + LivenessDescriptor.LINK;
                Words.putLongVolatile(head, HEAD_PENDING, entry);
                if (Words.compareAndSetInt(m, word, w, Keeper.TID)) {
                    Words.putLongVolatile(m, slot + LivenessDescriptor.LINK, Words.getLong(head, HEAD_NEXT));
                    Words.putLongVolatile(head, HEAD_NEXT, entry);
                    Words.putLongVolatile(head, HEAD_PENDING, 0);
                    Claim claim = new Claim(mapped, table, i, entry);
                    CLAIMS.put(key, claim);
                    LINKED.addFirst(claim);
                    return claim;
                }
                Words.putLongVolatile(head, HEAD_PENDING, 0);
            }
            return NONE;
        }
    }

    /**
     * Whether the holder of slot {@code number} (1-based; 0: none) of the table of {@code slots}
     * slots at {@code table} of {@code m} has ended. A number outside the table (none, or garbage
     * from a hostile peer) says nothing: false.
     */
    public static boolean ended(MemorySegment m, long table, int slots, int number) {
        return number > 0 && number <= slots
                && (Words.getIntVolatile(m, table + LivenessDescriptor.slot(number - 1) + LivenessDescriptor.WORD)
                        & LivenessDescriptor.OWNER_DIED) != 0;
    }

    /** Whether this process's claims are marked when it ends (starts the keeper if it is not running). */
    public static boolean available() {
        return Keeper.HEAD != null;
    }

    /**
     * The entries of this process's robust list, walked in native memory from its head (for
     * tests: the list the kernel would walk).
     */
    static List<Long> walk() {
        MemorySegment head = Keeper.HEAD;
        List<Long> entries = new ArrayList<>();
        if (head == null) {
            return entries;
        }
        synchronized (LOCK) {
            long e = Words.getLongVolatile(head, HEAD_NEXT);
            while (e != head.address() && entries.size() <= LIMIT) {
                entries.add(e);
                e = Words.getLongVolatile(MemorySegment.ofAddress(e).reinterpret(8), 0);
            }
        }
        return entries;
    }

    /**
     * One process's claim of a slot, shared by the holders in this process of what the table
     * belongs to; the slot is freed when the last of them releases it.
     *
     * <p>Memory consistency effects: none.
     */
    public static final class Claim {
        private final Segments.Mapped mapped;     // keeps the segment mapped while the kernel may follow the link
        private final long slot;                  // the slot's offset in the mapping
        private final int index;
        private final long entry;                 // the slot's address: its entry in the robust list
        private int holders = 1;                  // guarded by LOCK

        private Claim(Segments.Mapped mapped, long table, int index, long entry) {
            this.mapped = mapped;
            this.slot = table + LivenessDescriptor.slot(Math.max(index, 0));
            this.index = index;
            this.entry = entry;
        }

        /** The slot's number to publish: its index + 1, or 0 for {@link #NONE}. */
        public int number() {
            return index + 1;
        }

        /**
         * Releases one holder; the last one unlinks the slot and frees it. Releasing more often
         * than claimed does nothing.
         */
        public void release() {
            if (mapped == null) {
                return;
            }
            synchronized (LOCK) {
                if (holders == 0 || --holders > 0) {
                    return;
                }
                MemorySegment head = Keeper.HEAD;
                int k = LINKED.indexOf(this);
                long next = k + 1 < LINKED.size() ? LINKED.get(k + 1).entry : head.address();
                Words.putLongVolatile(head, HEAD_PENDING, entry);
                if (k == 0) {
                    Words.putLongVolatile(head, HEAD_NEXT, next);
                } else {
                    Claim before = LINKED.get(k - 1);
                    Words.putLongVolatile(before.mapped.memory(), before.slot + LivenessDescriptor.LINK, next);
                }
                LINKED.remove(k);
                Words.compareAndSetInt(mapped.memory(), slot + LivenessDescriptor.WORD, Keeper.TID, LivenessDescriptor.FREE);
                Words.putLongVolatile(head, HEAD_PENDING, 0);
                CLAIMS.remove(new Key(mapped, slot - LivenessDescriptor.slot(index)));
            }
        }

        /**
         * Releases one holder when {@code holder} becomes unreachable, unless the returned
         * {@link Cleaner.Cleanable} is cleaned first (which releases it at once): for objects that
         * may be dropped without being closed.
         */
        public Cleaner.Cleanable releaseWhenUnreachable(Object holder) {
            if (mapped == null) {
                return () -> { };
            }
            return Cleaning.CLEANER.register(holder, this::release);
        }
    }
}
