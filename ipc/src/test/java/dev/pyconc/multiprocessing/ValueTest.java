package dev.pyconc.multiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeaks.class)
class ValueTest {

    /** int, long and double values: get, set and the atomic operations. */
    @Test
    void operations() {
        var i = Value.ofInt(5);
        assertEquals("i", i.typecode());
        assertEquals(5, i.get());
        i.set(7);
        assertTrue(i.compareAndSet(7, 8));
        assertFalse(i.compareAndSet(7, 9));
        assertEquals(8, i.getAndAdd(2));
        assertEquals(13, i.addAndGet(3));
        assertEquals(13, i.getAndSet(-1));
        assertEquals("Value('i', -1)", i.toString());

        var l = Value.ofLong(1L << 40);
        assertEquals("q", l.typecode());
        assertEquals(1L << 40, l.getAndAdd(1));
        assertTrue(l.compareAndSet((1L << 40) + 1, 3));
        assertEquals(3, l.get());

        var d = Value.ofDouble(1.5);
        assertEquals("d", d.typecode());
        assertEquals(1.5, d.getAndAdd(1.0));
        assertEquals(4.0, d.addAndGet(1.5));
        assertTrue(d.compareAndSet(4.0, Double.NaN));
        assertTrue(Double.isNaN(d.get()));
        assertTrue(d.compareAndSet(Double.NaN, 0.0), "compare-and-set compares bits: NaN matches itself");
        d.set(-0.0);
        assertFalse(d.compareAndSet(0.0, 1.0), "-0.0 and 0.0 differ in bits");
    }

    /** A value with a lock hands out its RLock; a raw one (lock=false) has none. */
    @Test
    void locks() {
        var v = Value.ofInt(0);
        try (var _ = v.getLock().enter()) {
            v.set(v.get() + 1);
            assertTrue(v.getLock().isHeldByCurrentThread());
        }
        assertEquals(1, v.get());
        var raw = Value.ofInt(0, false);
        var e = assertThrows(IllegalStateException.class, raw::getLock);
        assertEquals("this Value was created with lock=false (a RawValue) and has no lock", e.getMessage());
    }

    /** 'h' and 'c' values: get, set, and Python's repr (a c_char prints as bytes, escaped as Python escapes them). */
    @Test
    void shortsAndChars() {
        var h = Value.ofShort((short) -232);
        assertEquals("h", h.typecode());
        h.set(Short.MAX_VALUE);
        assertEquals(Short.MAX_VALUE, h.get());
        assertEquals("Value('h', 32767)", h.toString());
        var c = Value.ofChar((byte) 'x', false);
        assertEquals("c", c.typecode());
        assertEquals("Value('c', b'x')", c.toString());
        c.set((byte) '\n');
        assertEquals("Value('c', b'\\n')", c.toString());
        c.set((byte) 0xff);
        assertEquals((byte) 0xff, c.get());
        assertEquals("Value('c', b'\\xff')", c.toString());
        c.set((byte) '\'');
        assertEquals("Value('c', b'\\'')", c.toString());
    }

    /**
     * A value given the caller's lock uses that lock in every process it is sent to: while the
     * parent holds it, the child's getLock().tryAcquire() fails, and after, it succeeds.
     */
    @Test
    void callersLockTravelsWithTheValue() throws Exception {
        var lock = new Lock();
        var v = Value.ofShort((short) 1, lock);
        var seen = Value.ofInt(0, false);
        lock.acquire();
        try (ChildJvm child = ChildJvm.start(ValueTest.class, "tryLock", v, seen)) {
            assertEquals(0, child.waitFor());
        }
        assertEquals(2, seen.get());
        lock.release();
        try (ChildJvm child = ChildJvm.start(ValueTest.class, "tryLock", v, seen)) {
            assertEquals(0, child.waitFor());
        }
        assertEquals(1, seen.get());
        assertFalse(lock.locked());
        var e = assertThrows(IllegalArgumentException.class, () -> Value.ofInt(0, new dev.pyconc.threading.RLock()));
        assertEquals("lock must be a multiprocessing Lock or RLock, not dev.pyconc.threading.RLock", e.getMessage());
    }

    /** Child: args[1] becomes 1 if the lock of value args[0] could be taken (and is released again), else 2. */
    public static void tryLock(Object[] args) {
        var v = (Value) args[0];
        var seen = (Value.OfInt) args[1];
        if (v.getLock().tryAcquire()) {
            v.getLock().release();
            seen.set(1);
        } else {
            seen.set(2);
        }
    }

    /** Four processes add with getAndAdd and with the lock; not one increment is lost; types survive transfer. */
    @Test
    void incrementsAcrossProcesses() {
        var atomic = Value.ofLong(0);
        var locked = Value.ofInt(0);
        var sum = Value.ofDouble(0.0);
        ChildJvm[] children = new ChildJvm[4];
        try {
            for (int i = 0; i < 4; i++) {
                children[i] = ChildJvm.start(ValueTest.class, "add", atomic, locked, sum, 2000);
            }
            for (ChildJvm c : children) {
                assertEquals(0, c.waitFor());
            }
        } finally {
            for (ChildJvm c : children) {
                if (c != null) {
                    c.close();
                }
            }
        }
        assertEquals(8000, atomic.get());
        assertEquals(8000, locked.get());
        assertEquals(4000.0, sum.get());
    }

    /** Child: adds to args[0..2] args[3] times. */
    public static void add(Object[] args) {
        var atomic = (Value.OfLong) args[0];
        var locked = (Value.OfInt) args[1];
        var sum = (Value.OfDouble) args[2];
        for (int i = 0; i < (int) args[3]; i++) {
            atomic.getAndAdd(1);
            try (var _ = locked.getLock().enter()) {
                locked.set(locked.get() + 1);
            }
            sum.getAndAdd(0.5);
        }
    }
}
