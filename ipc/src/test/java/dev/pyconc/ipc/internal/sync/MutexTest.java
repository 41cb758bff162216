package dev.pyconc.ipc.internal.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.pyconc.ipc.internal.shm.ProcessId;
import dev.pyconc.ipc.internal.shm.Words;
import dev.pyconc.multiprocessing.NoLeaks;

@ExtendWith(NoLeaks.class)
class MutexTest {
    private static final long BASE = 64;

    private static MemorySegment region() {
        return Arena.ofAuto().allocate(4096, 4096);
    }

    /** A holder recorded with this very PID but another start time is a dead process: it is recovered, once. */
    @Test
    void reusedPidIsRecoveredFrom() {
        MemorySegment s = region();
        long impostor = ProcessId.of(ProcessId.PID, ProcessId.startOf(ProcessId.PID) + 7);
        Words.putLong(s, BASE + MutexDescriptor.OWNER, impostor);
        assertFalse(Mutex.tryLock(s, BASE), "a cheap try never recovers");
        int r = Mutex.lock(s, BASE, WaitEngine.FOREVER);
        assertEquals(Mutex.RECOVERED + ProcessId.PID, r);
        assertEquals(ProcessId.SELF, Mutex.owner(s, BASE));
        Mutex.unlock(s, BASE);
        assertEquals(Mutex.ACQUIRED, Mutex.lock(s, BASE, 0));
    }

    /** A dead holder's thread id that equals ours does not make us the owner of a recovered RLock twice over. */
    @Test
    void recoveredReentrantLockStartsAtOneLevel() {
        MemorySegment s = region();
        long tid = Thread.currentThread().threadId();
        Words.putLong(s, BASE + MutexDescriptor.OWNER, ProcessId.of(ProcessId.PID, ProcessId.startOf(ProcessId.PID) + 1));
        Words.putLong(s, BASE + MutexDescriptor.THREAD, tid);
        Words.putInt(s, BASE + MutexDescriptor.COUNT, 5);
        assertFalse(Mutex.isHeldBy(s, BASE, tid));
        assertTrue(Mutex.lockReentrant(s, BASE, tid, WaitEngine.FOREVER) >= Mutex.RECOVERED);
        assertEquals(1, Mutex.count(s, BASE, tid));
        Mutex.unlockReentrant(s, BASE, tid);
        assertEquals(0, Mutex.owner(s, BASE));
    }

    /** A live holder (this process) is never recovered from; the timed wait just times out. */
    @Test
    void liveHolderIsNotOvertaken() {
        MemorySegment s = region();
        assertTrue(Mutex.tryLock(s, BASE));
        assertEquals(WaitEngine.TIMED_OUT, Mutex.lock(s, BASE, 50_000_000L));
        assertEquals(ProcessId.SELF, Mutex.owner(s, BASE));
    }
}
