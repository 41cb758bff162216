package dev.pyconc.ipc.internal.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.pyconc.multiprocessing.NoLeaks;

/**
 * This process's claims of liveness slots and the robust list the kernel walks at its end. (That
 * the kernel marks them when a process is killed is ConnectionTest's, with real child JVMs.)
 */
@ExtendWith(NoLeaks.class)
class LivenessTest {
    private static final long TABLE = 256;
    private static final int SLOTS = 4;

    @BeforeEach
    void marksAreAvailable() {
        assertTrue(Liveness.available(), "tests run on Linux with native access");
    }

    private static Segments.Mapped mapping() {
        return new Segments.Mapped("liveness-test", Arena.ofAuto().allocate(4096, 4096));
    }

    private static int word(Segments.Mapped m, int index) {
        return Words.getIntVolatile(m.memory(), TABLE + LivenessDescriptor.slot(index) + LivenessDescriptor.WORD);
    }

    private static void setWord(Segments.Mapped m, int index, int value) {
        Words.putIntVolatile(m.memory(), TABLE + LivenessDescriptor.slot(index) + LivenessDescriptor.WORD, value);
    }

    /** The entries of this process's list that lie in {@code mappings}, in list order, as (mapping, slot index) pairs. */
    private static List<String> listed(List<Segments.Mapped> mappings) {
        List<String> found = new ArrayList<>();
        for (long e : Liveness.walk()) {
            for (int m = 0; m < mappings.size(); m++) {
                long offset = e - mappings.get(m).memory().address();
                if (offset >= 0 && offset < 4096) {
                    found.add(m + ":" + (offset - TABLE) / LivenessDescriptor.SLOT);
                }
            }
        }
        return found;
    }

    /** Holders of one table in one process share its slot, which holds the keeper's id until the last releases it. */
    @Test
    void holdersOfOneTableShareOneSlot() {
        Segments.Mapped m = mapping();
        Liveness.Claim first = Liveness.claim(m, TABLE, SLOTS);
        Liveness.Claim second = Liveness.claim(m, TABLE, SLOTS);
        assertSame(first, second);
        assertEquals(1, first.number());
        int tid = word(m, 0);
        assertTrue(tid > 0 && (tid & LivenessDescriptor.OWNER_DIED) == 0, "a thread id: " + tid);
        assertEquals(List.of("0:0"), listed(List.of(m)));
        first.release();
        assertEquals(tid, word(m, 0), "one holder is left");
        second.release();
        assertEquals(LivenessDescriptor.FREE, word(m, 0));
        assertEquals(List.of(), listed(List.of(m)));
        second.release();
        assertEquals(LivenessDescriptor.FREE, word(m, 0), "releasing more often than claimed does nothing");
        Liveness.Claim again = Liveness.claim(m, TABLE, SLOTS);
        assertEquals(1, again.number(), "the freed slot is claimed again");
        again.release();
    }

    /** A slot the kernel marked (its holder ended) is claimed again; slots of live holders are not; a full table gives NONE. */
    @Test
    void slotsOfEndedHoldersAreReusedAndLiveOnesAreNot() {
        Segments.Mapped m = mapping();
        setWord(m, 0, 12345);                              // a live holder elsewhere
        setWord(m, 1, LivenessDescriptor.OWNER_DIED);      // one that ended
        Liveness.Claim claim = Liveness.claim(m, TABLE, 2);
        assertEquals(2, claim.number());
        assertNotEquals(LivenessDescriptor.OWNER_DIED, word(m, 1));
        claim.release();
        Segments.Mapped full = mapping();
        setWord(full, 0, 12345);
        setWord(full, 1, 23456);
        assertSame(Liveness.NONE, Liveness.claim(full, TABLE, 2));
        assertEquals(0, Liveness.NONE.number());
        Liveness.NONE.release();
        assertEquals(List.of(12345, 23456), List.of(word(full, 0), word(full, 1)));
    }

    /** Releasing the newest, a middle and the oldest of five claims leaves the list whole: the kernel would walk the rest. */
    @Test
    void theListStaysWholeWhateverIsReleased() {
        List<Segments.Mapped> mappings = new ArrayList<>();
        List<Liveness.Claim> claims = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            mappings.add(mapping());
            claims.add(Liveness.claim(mappings.get(i), TABLE, SLOTS));
        }
        assertEquals(List.of("4:0", "3:0", "2:0", "1:0", "0:0"), listed(mappings), "newest first");
        claims.get(4).release();
        claims.get(2).release();
        claims.get(0).release();
        assertEquals(List.of("3:0", "1:0"), listed(mappings));
        assertEquals(LivenessDescriptor.FREE, word(mappings.get(2), 0));
        claims.add(Liveness.claim(mappings.get(2), TABLE, SLOTS));
        assertEquals(List.of("2:0", "3:0", "1:0"), listed(mappings));
        claims.get(1).release();
        claims.get(3).release();
        claims.get(5).release();
        assertEquals(List.of(), listed(mappings));
    }

    /** ended() reads the numbered slot: only a marked one has ended; no number, or one outside the table, says nothing. */
    @Test
    void endedReadsTheNumberedSlot() {
        MemorySegment s = mapping().memory();
        Words.putIntVolatile(s, TABLE + LivenessDescriptor.slot(1) + LivenessDescriptor.WORD, LivenessDescriptor.OWNER_DIED);
        Words.putIntVolatile(s, TABLE + LivenessDescriptor.slot(2) + LivenessDescriptor.WORD, 4321);
        assertTrue(Liveness.ended(s, TABLE, SLOTS, 2));
        assertFalse(Liveness.ended(s, TABLE, SLOTS, 3), "a live holder");
        assertFalse(Liveness.ended(s, TABLE, SLOTS, 1), "a free slot");
        assertFalse(Liveness.ended(s, TABLE, SLOTS, 0), "no slot");
        assertFalse(Liveness.ended(s, TABLE, SLOTS, -7), "garbage");
        assertFalse(Liveness.ended(s, TABLE, 1, 2), "outside the table");
    }

    /** A table that does not lie within the mapping, or is not 16-byte aligned, is refused before anything is written. */
    @Test
    void badTablesAreRefused() {
        Segments.Mapped m = mapping();
        assertThrows(IllegalArgumentException.class, () -> Liveness.claim(m, 4096 - 16, 2));
        assertThrows(IllegalArgumentException.class, () -> Liveness.claim(m, TABLE + 8, 2));
        assertEquals(LivenessDescriptor.FREE, word(m, 0));
    }
}
