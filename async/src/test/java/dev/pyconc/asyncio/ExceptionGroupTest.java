package dev.pyconc.asyncio;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;

import org.junit.jupiter.api.Test;

class ExceptionGroupTest {

    /** A group keeps its exceptions in order, as a list and as suppressed exceptions. */
    @Test
    void holdsExceptions() {
        var a = new IllegalStateException("a");
        var b = new IllegalArgumentException("b");
        var eg = new ExceptionGroup("errors", List.of(a, b));
        assertEquals(List.of(a, b), eg.exceptions());
        assertArrayEquals(new Throwable[] {a, b}, eg.getSuppressed());
        assertSame(a, eg.getCause());
        assertEquals("errors (2 sub-exceptions)", eg.getMessage());
        assertEquals(List.of(b), eg.subgroup(IllegalArgumentException.class));
        assertThrows(UnsupportedOperationException.class, () -> eg.exceptions().add(a));
    }

    /** An empty group is refused. */
    @Test
    void emptyRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ExceptionGroup("x", List.of()));
        assertThrows(IllegalArgumentException.class, () -> new ExceptionGroup("x", null));
    }
}
