package dev.pyconc.builtins;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.UncheckedIOException;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Python 3.11's ExceptionGroup: construction, its message, subgroup and split by type and condition. */
class ExceptionGroupTest {
    private final TimeoutError timeout = new TimeoutError("t");
    private final IllegalArgumentException value = new IllegalArgumentException("v");
    private final BrokenPipeError pipe = new BrokenPipeError("p");
    private final ExceptionGroup nested = new ExceptionGroup("inner", List.of(pipe, value));
    private final ExceptionGroup group = new ExceptionGroup("outer", List.of(timeout, nested, value));

    /** The exceptions, in order; the message counts them; the first is the cause; all are suppressed. */
    @Test
    @DisplayName("test_basics_ExceptionGroup_fields")
    void fields() {
        assertEquals(List.of(timeout, nested, value), group.exceptions());
        assertEquals("outer", group.message());
        assertEquals("outer (3 sub-exceptions)", group.getMessage());
        assertEquals("inner (2 sub-exceptions)", nested.getMessage());
        assertSame(timeout, group.getCause());
        assertArrayEquals(new Throwable[] {timeout, nested, value}, group.getSuppressed());
        assertThrows(UnsupportedOperationException.class, () -> group.exceptions().add(value));
    }

    /** An empty list, a null in it, a null list or message are refused. */
    @Test
    @DisplayName("test_EG_wraps_Exceptions__creates_EG / bad arguments")
    void badArguments() {
        assertEquals("second argument (exceptions) must be a non-empty sequence",
                assertThrows(IllegalArgumentException.class, () -> new ExceptionGroup("m", List.of())).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ExceptionGroup("m", null));
        assertThrows(IllegalArgumentException.class, () -> new ExceptionGroup(null, List.of(value)));
        assertThrows(IllegalArgumentException.class, () -> new ExceptionGroup("m", java.util.Arrays.asList(value, null)));
    }

    /** subgroup keeps the nesting and the messages, and is null when nothing matches. */
    @Test
    @DisplayName("test_basics_subgroup_split__bytype")
    void subgroupByType() {
        ExceptionGroup io = group.subgroup(UncheckedIOException.class);
        assertEquals("outer", io.message());
        assertSame(timeout, io.exceptions().get(0));
        ExceptionGroup inner = assertInstanceOf(ExceptionGroup.class, io.exceptions().get(1));
        assertEquals("inner", inner.message());
        assertEquals(List.of(pipe), inner.exceptions());
        assertEquals(2, io.exceptions().size());
        assertNull(group.subgroup(ArithmeticException.class));
        assertSame(group, group.subgroup(ExceptionGroup.class));
    }

    /** split gives what matches and the rest, each with the group's structure. */
    @Test
    @DisplayName("test_basics_split_by_predicate__match")
    void splitByCondition() {
        ExceptionGroup.Split s = group.split(e -> e instanceof IllegalArgumentException);
        assertEquals(2, s.match().exceptions().size());
        assertEquals(List.of(value), ((ExceptionGroup) s.match().exceptions().get(0)).exceptions());
        assertSame(value, s.match().exceptions().get(1));
        assertEquals(List.of(timeout), s.rest().exceptions().subList(0, 1));
        assertEquals(List.of(pipe), ((ExceptionGroup) s.rest().exceptions().get(1)).exceptions());
        ExceptionGroup.Split none = group.split(ArithmeticException.class);
        assertNull(none.match());
        assertEquals(group.exceptions().size(), none.rest().exceptions().size());
        ExceptionGroup derived = group.derive(List.of(value));
        assertEquals("outer", derived.message());
        assertEquals(List.of(value), derived.exceptions());
    }
}
