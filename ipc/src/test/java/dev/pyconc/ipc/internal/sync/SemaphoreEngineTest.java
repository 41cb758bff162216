package dev.pyconc.ipc.internal.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.pyconc.ipc.internal.shm.ProcessId;
import dev.pyconc.ipc.internal.shm.Words;
import dev.pyconc.multiprocessing.NoLeaks;

@ExtendWith(NoLeaks.class)
class SemaphoreEngineTest {
    private static final long BASE = 64;

    /**
     * A process killed half-way through an acquire (value decremented, its slot not yet) leaves an
     * undo record; the next guard holder restores the state, and the dead holder's earlier permit
     * comes back when a waiter looks for dead holders.
     */
    @Test
    void journalUndoesAHalfDoneUpdate() {
        MemorySegment s = Arena.ofAuto().allocate(8192, 4096);
        SemaphoreEngine.init(s, BASE, 3, -1);
        long dead = ProcessId.of(ProcessId.PID, ProcessId.startOf(ProcessId.PID) + 3);
        long slot = BASE + SemaphoreDescriptor.slot(5);
        // the dead process took one permit completely...
        Words.putLong(s, slot + SemaphoreDescriptor.SLOT_OWNER, dead);
        Words.putInt(s, slot + SemaphoreDescriptor.SLOT_COUNT, 1);
        Words.putInt(s, BASE + SemaphoreDescriptor.VALUE, 2);
        // ...and died in its second acquire, holding the guard, after the journal and the value store
        Words.putLong(s, BASE + SemaphoreDescriptor.JOURNAL, 2L | 1L << 32);
        Words.putInt(s, BASE + SemaphoreDescriptor.JOURNAL_SLOT, 6);
        Words.putInt(s, BASE + SemaphoreDescriptor.VALUE, 1);
        Words.putLong(s, BASE + SemaphoreDescriptor.GUARD + MutexDescriptor.OWNER, dead);

        int[] hint = {-1};
        assertEquals(SemaphoreEngine.ACQUIRED, SemaphoreEngine.acquire(s, BASE, hint, WaitEngine.FOREVER));
        assertEquals(1, SemaphoreEngine.value(s, BASE), "undone to 2, then this acquire took one");
        assertEquals(1, Words.getInt(s, slot + SemaphoreDescriptor.SLOT_COUNT));
        assertEquals(1, SemaphoreEngine.heldByThisProcess(s, BASE, hint));
        assertEquals(ProcessId.PID, SemaphoreEngine.recoverDeadHolders(s, BASE));
        assertEquals(2, SemaphoreEngine.value(s, BASE));
        assertEquals(0, Words.getLong(s, slot + SemaphoreDescriptor.SLOT_OWNER));
        SemaphoreEngine.release(s, BASE, hint, 1);
        assertEquals(3, SemaphoreEngine.value(s, BASE));
        assertEquals(0, SemaphoreEngine.heldByThisProcess(s, BASE, hint));
    }

    /** A release pays down the releasing process's own holdings first; a release beyond them is a gift. */
    @Test
    void releasesPayDownOwnHoldings() {
        MemorySegment s = Arena.ofAuto().allocate(8192, 4096);
        SemaphoreEngine.init(s, BASE, 2, -1);
        int[] hint = {-1};
        assertTrue(SemaphoreEngine.tryAcquire(s, BASE, hint));
        assertTrue(SemaphoreEngine.tryAcquire(s, BASE, hint));
        assertEquals(2, SemaphoreEngine.heldByThisProcess(s, BASE, hint));
        SemaphoreEngine.release(s, BASE, hint, 3);
        assertEquals(0, SemaphoreEngine.heldByThisProcess(s, BASE, hint));
        assertEquals(3, SemaphoreEngine.value(s, BASE));
    }
}
