package dev.pyconc.conformance.testcontext;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.contextvars.Context;
import dev.pyconc.contextvars.ContextVar;
import dev.pyconc.contextvars.Contextvars;
import dev.pyconc.contextvars.Token;
import dev.pyconc.futures.ThreadPoolExecutor;

/**
 * test_context.py's {@code ContextTest}. CPython's {@code @isolated_context} runs a test in a new
 * empty context; here {@link #isolated} does. Python's LookupError is
 * {@link NoSuchElementException}, its {@code ctx[var]} of a missing variable (KeyError) is a null
 * {@code ctx.get(var)} with {@code containsKey} false, its RuntimeError
 * {@link IllegalStateException} and its ValueError {@link IllegalArgumentException}.
 */
class ContextTest {

    /** CPython's {@code @isolated_context}: runs {@code body} in a new empty context. */
    private static void isolated(Runnable body) {
        new Context().run(body);
    }

    @Test
    @DisplayName("test_context_var_new_1")
    void testContextVarNew1() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ContextVar<>(null));
        assertEquals("the name of a ContextVar must not be null", e.getMessage());

        ContextVar<Object> c = new ContextVar<>("aaa");
        assertEquals("aaa", c.name());
        // c.name = 'bbb' is an AttributeError: the Java class has no setter and its field is final
        assertTrue(Modifier.isFinal(fieldModifiers(ContextVar.class, "name")));
        assertNotEquals("aaa".hashCode(), c.hashCode());
        assertNotEquals(c, new ContextVar<>("aaa"));
    }

    private static int fieldModifiers(Class<?> c, String field) {
        try {
            return c.getDeclaredField(field).getModifiers();
        } catch (NoSuchFieldException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    @DisplayName("test_context_var_repr_1")
    void testContextVarRepr1() {
        isolated(() -> {
            ContextVar<Object> c = new ContextVar<>("a");
            assertTrue(c.toString().contains("'a'"), c.toString());

            c = new ContextVar<>("a", 123);
            assertTrue(c.toString().contains("123"), c.toString());

            List<Object> lst = new ArrayList<>();
            ContextVar<Object> d = new ContextVar<>("a", lst);
            lst.add(d);
            assertTrue(d.toString().contains("..."), d.toString());
            assertTrue(lst.toString().contains("..."), lst.toString());

            Token<Object> t = d.set(1);
            assertTrue(t.toString().contains(d.toString()), t.toString());
            assertFalse(t.toString().contains("used "), t.toString());
            d.reset(t);
            assertTrue(t.toString().contains("used "), t.toString());
        });
    }

    @Test
    @DisplayName("test_context_subclassing_1")
    void testContextSubclassing1() {
        // "not an acceptable base type": the Java classes are final
        assertTrue(Modifier.isFinal(ContextVar.class.getModifiers()));
        assertTrue(Modifier.isFinal(Context.class.getModifiers()));
        assertTrue(Modifier.isFinal(Token.class.getModifiers()));
    }

    @Test
    @DisplayName("test_context_get_context_1")
    void testContextGetContext1() {
        Context ctx = Contextvars.copyContext();
        assertInstanceOf(Context.class, ctx);
    }

    @Test
    @DisplayName("test_context_run_1")
    void testContextRun1() {
        Context ctx = new Context();
        // ctx.run() without a callable: a TypeError in Python, a null callable here
        assertThrows(IllegalArgumentException.class, () -> ctx.run((Callable<Object>) null));
        assertThrows(IllegalArgumentException.class, () -> ctx.run((Runnable) null));
    }

    @Test
    @DisplayName("test_context_run_2")
    void testContextRun2() {
        // Python passes positional and keyword arguments through run(); a Java callable captures
        // them, and run() returns what it returns, unchanged.
        Context ctx = new Context();
        for (Object[] args : List.of(new Object[] {}, new Object[] {1}, new Object[] {11})) {
            Map<String, Object> kwargs = Map.of();
            List<Object> result = ctx.run(() -> {
                List<Object> a = new ArrayList<>(List.of(args));
                a.add("bar");
                return List.of(a, Map.of("spam", "foo"));
            });
            List<Object> expected = new ArrayList<>(List.of(args));
            expected.add("bar");
            assertEquals(List.of(expected, Map.of("spam", "foo")), result);
            assertEquals(Map.of(), kwargs);
        }
    }

    @Test
    @DisplayName("test_context_run_3")
    void testContextRun3() {
        Context ctx = new Context();
        Runnable func = () -> {
            int zero = 0;
            System.out.println(1 / zero);
        };
        assertThrows(ArithmeticException.class, () -> ctx.run(func));
        assertThrows(ArithmeticException.class, () -> ctx.run(func));
        assertThrows(ArithmeticException.class, () -> ctx.run(() -> {
            func.run();
            return 123;
        }));
    }

    @Test
    @DisplayName("test_context_run_4")
    void testContextRun4() {
        isolated(() -> {
            Context ctx1 = new Context();
            Context ctx2 = new Context();
            ContextVar<String> var = new ContextVar<>("var");

            Runnable func2 = () -> assertNull(var.get(null));

            Callable<Context> func1 = () -> {
                assertNull(var.get(null));
                var.set("spam");
                ctx2.run(func2);
                assertEquals("spam", var.get(null));

                Context cur = Contextvars.copyContext();
                assertEquals(1, cur.size());
                assertEquals("spam", cur.get(var));
                return cur;
            };

            Context returnedCtx = ctx1.run(func1);
            assertEquals(ctx1, returnedCtx);
            assertEquals("spam", returnedCtx.get(var));
            assertTrue(returnedCtx.containsKey(var));
        });
    }

    @Test
    @DisplayName("test_context_run_5")
    void testContextRun5() {
        Context ctx = new Context();
        ContextVar<String> var = new ContextVar<>("var");

        Runnable func = () -> {
            assertNull(var.get(null));
            var.set("spam");
            int zero = 0;
            System.out.println(1 / zero);
        };

        assertThrows(ArithmeticException.class, () -> ctx.run(func));
        assertNull(var.get(null));
    }

    @Test
    @DisplayName("test_context_run_6")
    void testContextRun6() {
        Context ctx = new Context();
        ContextVar<Integer> c = new ContextVar<>("a", 0);

        ctx.run(() -> {
            assertEquals(0, c.get());
            assertNull(ctx.get(c));

            c.set(42);
            assertEquals(42, c.get());
            assertEquals(42, ctx.get(c));
        });
    }

    @Test
    @DisplayName("test_context_run_7")
    void testContextRun7() {
        Context ctx = new Context();
        ctx.run(() -> {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> ctx.run(() -> { }));
            assertTrue(e.getMessage().contains("is already entered"), e.getMessage());
        });
    }

    @Test
    @DisplayName("test_context_getset_1")
    void testContextGetset1() {
        isolated(() -> {
            ContextVar<Object> c = new ContextVar<>("c");
            assertThrows(NoSuchElementException.class, c::get);

            assertNull(c.get(null));

            Token<Object> t0 = c.set(42);
            assertEquals(42, c.get());
            assertEquals(42, c.get(null));
            assertSame(Token.MISSING, t0.oldValue());
            assertSame(c, t0.var());

            Token<Object> t = c.set("spam");
            assertEquals("spam", c.get());
            assertEquals("spam", c.get(null));
            assertEquals(42, t.oldValue());
            c.reset(t);

            assertEquals(42, c.get());
            assertEquals(42, c.get(null));

            c.set("spam2");
            IllegalStateException used = assertThrows(IllegalStateException.class, () -> c.reset(t));
            assertTrue(used.getMessage().contains("has already been used"), used.getMessage());
            assertEquals("spam2", c.get());

            Context ctx1 = Contextvars.copyContext();
            assertTrue(ctx1.containsKey(c));

            c.reset(t0);
            used = assertThrows(IllegalStateException.class, () -> c.reset(t0));
            assertTrue(used.getMessage().contains("has already been used"), used.getMessage());
            assertNull(c.get(null));

            assertTrue(ctx1.containsKey(c));
            assertEquals("spam2", ctx1.get(c));
            assertEquals("spam2", ctx1.get(c, "aa"));
            assertEquals(1, ctx1.size());
            assertEquals(List.of(Map.entry(c, "spam2")), List.copyOf(ctx1.entrySet()));
            assertEquals(List.of("spam2"), List.copyOf(ctx1.values()));
            assertEquals(List.of(c), List.copyOf(ctx1.keySet()));

            Context ctx2 = Contextvars.copyContext();
            assertFalse(ctx2.containsKey(c));
            assertNull(ctx2.get(c));
            assertEquals("aa", ctx2.get(c, "aa"));
            assertEquals(0, ctx2.size());
            assertEquals(List.of(), List.copyOf(ctx2.keySet()));
        });
    }

    @Test
    @DisplayName("test_context_getset_2")
    void testContextGetset2() {
        isolated(() -> {
            ContextVar<Object> v1 = new ContextVar<>("v1");
            ContextVar<Object> v2 = new ContextVar<>("v2");

            Token<Object> t1 = v1.set(42);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> v2.reset(t1));
            assertTrue(e.getMessage().contains("by a different"), e.getMessage());
        });
    }

    @Test
    @DisplayName("test_context_getset_3")
    void testContextGetset3() {
        isolated(() -> {
            ContextVar<Object> c = new ContextVar<>("c", 42);
            Context ctx = new Context();

            ctx.run(() -> {
                assertEquals(42, c.get());
                assertFalse(ctx.containsKey(c));
                assertNull(ctx.get(c));
                assertEquals("spam", ctx.get(c, "spam"));
                assertEquals(List.of(), List.copyOf(ctx.keySet()));

                Token<Object> t = c.set(1);
                assertEquals(List.of(c), List.copyOf(ctx.keySet()));
                assertEquals(1, ctx.get(c));

                c.reset(t);
                assertEquals(List.of(), List.copyOf(ctx.keySet()));
                assertFalse(ctx.containsKey(c));
            });
        });
    }

    @Test
    @DisplayName("test_context_getset_4")
    void testContextGetset4() {
        isolated(() -> {
            ContextVar<Object> c = new ContextVar<>("c", 42);
            Context ctx = new Context();

            Token<Object> tok = ctx.run(() -> c.set(1));

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.reset(tok));
            assertTrue(e.getMessage().contains("different Context"), e.getMessage());
        });
    }

    @Test
    @DisplayName("test_context_getset_5")
    void testContextGetset5() {
        isolated(() -> {
            ContextVar<List<Integer>> c = new ContextVar<>("c", List.of(42));
            c.set(new ArrayList<>());

            Contextvars.copyContext().run(() -> {
                c.set(new ArrayList<>());
                c.get().add(42);
                assertEquals(List.of(42), c.get());
            });
            assertEquals(List.of(), c.get());
        });
    }

    @Test
    @DisplayName("test_context_copy_1")
    void testContextCopy1() {
        Context ctx1 = new Context();
        ContextVar<Integer> c = new ContextVar<>("c", 42);

        Runnable ctx2Fun = () -> {
            assertEquals(10, c.get());
            c.set(30);
            assertEquals(30, c.get());
        };

        ctx1.run(() -> {
            c.set(10);

            Context ctx2 = ctx1.copy();
            assertEquals(10, ctx2.get(c));

            c.set(20);
            assertEquals(20, ctx1.get(c));
            assertEquals(10, ctx2.get(c));

            ctx2.run(ctx2Fun);
            assertEquals(20, ctx1.get(c));
            assertEquals(30, ctx2.get(c));
        });
    }

    @Test
    @DisplayName("test_context_threads_1")
    void testContextThreads1() {
        isolated(() -> {
            ContextVar<Integer> cvar = new ContextVar<>("cvar");

            java.util.function.Function<Integer, Integer> sub = num -> {
                for (int i = 0; i < 10; i++) {
                    cvar.set(num + i);
                    try {
                        Thread.sleep(ThreadLocalRandom.current().nextInt(1, 50));   // interleaves the threads, as CPython's
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                    assertEquals(num + i, cvar.get());
                }
                return num;
            };

            List<Integer> results = new ArrayList<>();
            try (ThreadPoolExecutor tp = new ThreadPoolExecutor(10)) {
                for (Integer r : tp.map(sub, List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9))) {
                    results.add(r);
                }
            }
            assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), results);
        });
    }
}
