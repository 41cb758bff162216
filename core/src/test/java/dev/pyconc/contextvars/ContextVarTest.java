package dev.pyconc.contextvars;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;

import dev.pyconc.testing.Threads;

class ContextVarTest {

    /** A new thread starts in a new empty context: it sees none of its creator's values (Python 3.13). */
    @Test
    void newThreadStartsEmpty() {
        ContextVar<String> v = new ContextVar<>("v");
        new Context().run(() -> {
            v.set("creator");
            String seen = Threads.start("child", () -> v.get("none")).get();
            assertEquals("none", seen);
            assertEquals("creator", v.get());
        });
    }

    /** The thread's own context keeps its values across run() of other contexts. */
    @Test
    void baseContextSurvivesRun() throws Exception {
        ContextVar<Integer> v = new ContextVar<>("v", 0);
        Integer seen = Threads.start("base", () -> {
            v.set(7);
            new Context().run(() -> v.set(8));
            return v.get();
        }).get();
        assertEquals(7, seen);
    }

    /** A context runs in one thread at a time: a second thread's run() throws while the first runs. */
    @Test
    void enteredInTwoThreadsAtOnce() throws Exception {
        Context ctx = new Context();
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        var first = Threads.run("first", () -> ctx.run(() -> {
            inside.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }));
        inside.await();
        Throwable e = Threads.run("second", () -> ctx.run(() -> { })).failure();
        assertInstanceOf(IllegalStateException.class, e);
        assertEquals("cannot enter context: " + ctx + " is already entered", e.getMessage());
        release.countDown();
        first.get();
        Threads.run("third", () -> ctx.run(() -> { })).get();     // free again once the first run ended
    }

    /** What run's callable throws passes through: unchecked as it is, checked wrapped. */
    @Test
    void runPassesExceptionsThrough() {
        Context ctx = new Context();
        IllegalArgumentException iae = new IllegalArgumentException("x");
        assertSame(iae, assertThrows(IllegalArgumentException.class, () -> ctx.run(() -> {
            throw iae;
        })));
        IOException io = new IOException("y");
        CompletionException ce = assertThrows(CompletionException.class, () -> ctx.run(() -> {
            throw io;
        }));
        assertSame(io, ce.getCause());
        assertEquals(42, ctx.run(() -> 42));
        Threads.run("after", () -> ctx.run(() -> { })).get();    // the failed runs left it free
    }

    /** A null value is a value: get() returns it, and the context contains the variable. */
    @Test
    void nullIsAValue() {
        ContextVar<String> v = new ContextVar<>("v", "default");
        Context ctx = new Context();
        ctx.run(() -> {
            Token<String> t = v.set(null);
            assertNull(v.get());
            assertNull(v.get("other"));
            assertTrue(ctx.containsKey(v));
            assertSame(Token.MISSING, t.oldValue());
            v.reset(t);
            assertEquals("default", v.get());
            assertFalse(ctx.containsKey(v));
        });
    }

    /** get() of a variable with no value and no default throws NoSuchElementException naming it. */
    @Test
    void getWithoutValueOrDefault() {
        ContextVar<String> v = new ContextVar<>("request_id");
        new Context().run(() -> {
            NoSuchElementException e = assertThrows(NoSuchElementException.class, v::get);
            assertEquals(v + " has no value in the current context and no default", e.getMessage());
        });
    }

    /** A copy shares nothing that later sets change: each side sees only its own sets. */
    @Test
    void copiesAreIndependent() {
        ContextVar<Integer> a = new ContextVar<>("a");
        ContextVar<Integer> b = new ContextVar<>("b");
        Context ctx = new Context();
        Context copy = ctx.run(() -> {
            a.set(1);
            b.set(2);
            Context c = Contextvars.copyContext();
            a.set(10);
            return c;
        });
        copy.run(() -> b.set(20));
        assertEquals(Map.of(a, 10, b, 2), ctx);
        assertEquals(Map.of(a, 1, b, 20), copy);
        List<ContextVar<?>> order = new ArrayList<>(ctx.keySet());
        assertEquals(List.of(a, b), order);
        assertThrows(UnsupportedOperationException.class, () -> ctx.put(a, 3));
        assertThrows(UnsupportedOperationException.class, () -> ctx.entrySet().clear());
    }

    /** A context entered by a thread cannot be run again inside itself. */
    @Test
    void reentryThrows() {
        Context ctx = new Context();
        IllegalStateException e = ctx.run(() -> assertThrows(IllegalStateException.class, () -> ctx.run(() -> { })));
        assertEquals("cannot enter context: " + ctx + " is already entered", e.getMessage());
    }

    /** Reset checks: a used token, another variable's token, a token of another context. */
    @Test
    void resetChecks() {
        ContextVar<Integer> v = new ContextVar<>("v");
        ContextVar<Integer> w = new ContextVar<>("w");
        new Context().run(() -> {
            Token<Integer> t = v.set(1);
            @SuppressWarnings({"unchecked", "rawtypes"})
            IllegalArgumentException other = assertThrows(IllegalArgumentException.class, () -> w.reset((Token) t));
            assertEquals(t + " was created by a different ContextVar", other.getMessage());
            Token<Integer> elsewhere = new Context().run(() -> v.set(2));
            IllegalArgumentException ctx = assertThrows(IllegalArgumentException.class, () -> v.reset(elsewhere));
            assertEquals(elsewhere + " was created in a different Context", ctx.getMessage());
            v.reset(t);
            IllegalStateException used = assertThrows(IllegalStateException.class, () -> v.reset(t));
            assertEquals(t + " has already been used once", used.getMessage());
            assertTrue(t.toString().contains("[used var="), t.toString());
        });
    }

    /** toString of a variable whose default contains it does not recurse forever. */
    @Test
    void toStringOfSelfContainingDefault() {
        List<Object> lst = new ArrayList<>();
        ContextVar<List<Object>> c = new ContextVar<>("a", lst);
        lst.add(c);
        String s = c.toString();
        assertTrue(s.endsWith("[name='a' default=[" + s.substring(0, s.indexOf('[')) + "[name='a' default=...]]]"), s);
    }
}
