package dev.pyconc.conformance.testmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.multiprocessing.Lock;
import dev.pyconc.multiprocessing.Process;
import dev.pyconc.multiprocessing.Value;

/**
 * _test_multiprocessing.py's {@code _TestValue} (processes only, as in CPython): shared values of
 * the five type codes CPython's test uses, changed by a child JVM. Python's {@code sv.value} is
 * {@code get()} and {@code set(...)}; {@code RawValue} is the {@code lock = false} form, whose
 * {@code getLock()} throws where Python's object has no {@code get_lock} attribute. pyconc has no
 * {@code get_obj()}: a value is read and written through its own methods.
 */
class _TestValue {
    @BeforeAll
    static void segments() {
        Mp1Support.init();
    }

    /** CPython's {@code codes_values}: the type code, the value made, the value the child sets. */
    private static List<Value> values(boolean lock) {
        return List.of(Value.ofInt(4343, lock), Value.ofDouble(3.625, lock), Value.ofShort((short) -232, lock),
                Value.ofLong(1L << 33, lock), Value.ofChar((byte) 'x', lock));
    }

    /** CPython's {@code _test}: the child sets each value to its third element. */
    private static void test(List<Value> values) {
        ((Value.OfInt) values.get(0)).set(24234);
        ((Value.OfDouble) values.get(1)).set(-4.25);
        ((Value.OfShort) values.get(2)).set((short) 234);
        ((Value.OfLong) values.get(3)).set(1L << 34);
        ((Value.OfChar) values.get(4)).set((byte) 'y');
    }

    private static void testValue(boolean raw) {
        List<Value> values = values(!raw);
        assertEquals("[Value('i', 4343), Value('d', 3.625), Value('h', -232), Value('q', 8589934592), Value('c', b'x')]",
                values.toString());
        assertEquals(4343, ((Value.OfInt) values.get(0)).get());
        assertEquals(3.625, ((Value.OfDouble) values.get(1)).get());
        assertEquals(-232, ((Value.OfShort) values.get(2)).get());
        assertEquals(1L << 33, ((Value.OfLong) values.get(3)).get());
        assertEquals('x', ((Value.OfChar) values.get(4)).get());

        Process proc = new Process(() -> test(values));
        proc.setDaemon(true);
        proc.start();
        proc.join();

        assertEquals(24234, ((Value.OfInt) values.get(0)).get());
        assertEquals(-4.25, ((Value.OfDouble) values.get(1)).get());
        assertEquals(234, ((Value.OfShort) values.get(2)).get());
        assertEquals(1L << 34, ((Value.OfLong) values.get(3)).get());
        assertEquals('y', ((Value.OfChar) values.get(4)).get());
    }

    /** Synchronized values of the five type codes keep what a child process set. */
    @Test
    @DisplayName("test_value")
    void testValue() {
        testValue(false);
    }

    /** Raw values (no lock) of the five type codes keep what a child process set. */
    @Test
    @DisplayName("test_rawvalue")
    void testRawvalue() {
        testValue(true);
    }

    /**
     * A value has its own lock by default; given a lock, getLock() returns that very lock; a raw
     * value has none; a lock that is not a multiprocessing lock is refused (Python's AttributeError
     * for lock='navalue').
     */
    @Test
    @DisplayName("test_getobj_getlock")
    void testGetobjGetlock() {
        Value.OfInt val1 = Value.ofInt(5);
        val1.getLock();

        Value.OfInt val2 = Value.ofInt(5, true);        // lock=None: a lock of its own, as the default
        val2.getLock();

        Lock lock = new Lock();
        Value.OfInt val3 = Value.ofInt(5, lock);
        assertSame(lock, val3.getLock());

        Value.OfInt arr4 = Value.ofInt(5, false);
        assertThrows(IllegalStateException.class, arr4::getLock);

        assertThrows(IllegalArgumentException.class, () -> Value.ofInt(5, new dev.pyconc.threading.Lock()));

        Value.OfInt arr5 = Value.ofInt(5, false);       // RawValue('i', 5)
        assertThrows(IllegalStateException.class, arr5::getLock);
    }
}
