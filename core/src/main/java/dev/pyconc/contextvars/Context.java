package dev.pyconc.contextvars;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.Callable;

import dev.pyconc.core.internal.ContextSupport;
import dev.pyconc.core.internal.Failures;

/**
 * A mapping of {@link ContextVar}s to their values: Python's {@code contextvars.Context}. Code
 * runs in a context, and {@link ContextVar#get()} and {@link ContextVar#set} read and write the
 * current one. Each thread has a current context of its own (a new empty one for a new thread,
 * as in Python 3.13); {@link #run} makes this context the current one for the length of a call;
 * each asyncio task runs in a copy of the context current when it was created.
 *
 * <pre> {@code
 * static final ContextVar<String> REQUEST_ID = new ContextVar<>("request_id", "-");
 *
 * Context ctx = Contextvars.copyContext();          // a snapshot of the current context
 * ctx.run(() -> REQUEST_ID.set("r-42"));            // changes ctx, not the current context
 * ctx.get(REQUEST_ID);                              // "r-42"
 * REQUEST_ID.get();                                 // "-"
 * }</pre>
 *
 * <p>The context is a read-only {@link Map} of its variables to their values (Python's
 * {@code ctx[var]}, {@code var in ctx}, {@code len(ctx)}, iteration); only
 * {@link ContextVar#set} and {@link ContextVar#reset} change it, from code running in it. Its
 * contents are an immutable snapshot replaced on every change, so {@link #copy()} takes no time
 * whatever the number of variables, and an iterator sees the contents of the moment it was
 * created. A context may be entered by one thread at a time: {@link #run} of a context that is
 * running already, in this thread or another, throws {@link IllegalStateException} (Python's
 * RuntimeError).
 *
 * <p>Memory consistency effects: a value set in a context is visible to every later read of that
 * context, in any thread; actions prior to the end of {@link #run} <i>happen-before</i> the start
 * of a later {@code run} of the same context in another thread. See
 * <a href="package-summary.html#MemoryVisibility">Memory Visibility</a>.
 */
public final class Context extends AbstractMap<ContextVar<?>, Object> {
    /** The context entered by run() in each thread; null: the running task's, or the thread's base. */
    private static final ThreadLocal<Context> CURRENT = new ThreadLocal<>();
    private static final VarHandle ENTERED;

    static {
        try {
            ENTERED = MethodHandles.lookup().findVarHandle(Context.class, "entered", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
        ContextSupport.install(new ContextSupport.Access() {
            @Override
            public boolean enter(Object c) {
                return ENTERED.compareAndSet((Context) c, 0, 1);
            }

            @Override
            public void exit(Object c) {
                ((Context) c).entered = 0;
            }
        });
    }

    private volatile Vars vars;       // immutable: replaced, never changed
    private volatile int entered;     // 1 while a thread runs in this context (CAS through ENTERED)
    private Context prev;             // the thread's context before run(); owned by the entering thread

    /*
     * Overview. Python's PyContext with its HAMT replaced by an immutable pair of arrays (Vars):
     * programs hold a handful of variables, for which a linear scan by identity beats any hashing,
     * and a set copies the arrays, which is what makes copy() a single allocation: the copy shares
     * them. `vars` is volatile so that another thread's ctx.get(var) sees the latest snapshot.
     *
     * The current context of a thread is, in this order: the context entered by run() (the
     * thread-local CURRENT), the context of the asyncio task whose body the thread runs (asked of
     * ContextSupport: workers of an event loop run one task after another, so the binding lives
     * in the task and costs a task step nothing), or the thread's base context, made on first use
     * and kept in CURRENT. run() saves what CURRENT held and restores it; on a thread that runs a
     * task, CURRENT stays empty outside run(), so the task's context shows through again.
     *
     * `entered` is the rule that a context runs in one thread at a time: run() and an asyncio
     * task step take it with a CAS and give it back with a volatile write.
     */

    /** A new empty context (Python's {@code Context()}). */
    public Context() {
        this(Vars.EMPTY);
    }

    private Context(Vars vars) {
        this.vars = vars;
    }

    /** The calling thread's current context (see the overview). */
    static Context current() {
        Context c = CURRENT.get();
        if (c == null) {
            c = (Context) ContextSupport.taskContext();
            if (c == null) {
                c = new Context();
                CURRENT.set(c);
            }
        }
        return c;
    }

    Vars vars() {
        return vars;
    }

    void vars(Vars v) {
        vars = v;
    }

    /**
     * Calls {@code fn} with this context as the current one and returns its result (Python's
     * {@code ctx.run(callable)}): the {@link ContextVar#set}s it makes change this context; when
     * it returns or throws, the previous context is current again. What {@code fn} throws passes
     * through (a checked exception wrapped in a {@link java.util.concurrent.CompletionException}).
     *
     * @throws IllegalStateException if this context is entered already, in this thread or another
     *         (Python's RuntimeError)
     */
    public <T> T run(Callable<T> fn) {
        if (fn == null) {
            throw new IllegalArgumentException("fn must not be null");
        }
        enter();
        try {
            return fn.call();
        } catch (Exception e) {
            throw Failures.propagate(e);
        } finally {
            exit();
        }
    }

    /** As {@link #run(Callable)} for code that returns nothing. */
    public void run(Runnable fn) {
        if (fn == null) {
            throw new IllegalArgumentException("fn must not be null");
        }
        enter();
        try {
            fn.run();
        } finally {
            exit();
        }
    }

    private void enter() {
        if (!ENTERED.compareAndSet(this, 0, 1)) {
            throw new IllegalStateException("cannot enter context: " + this + " is already entered");
        }
        Context p = CURRENT.get();
        if (p == null && ContextSupport.taskContext() == null) {
            p = new Context();          // the thread's base context, which must outlive this run
        }
        prev = p;
        CURRENT.set(this);
    }

    private void exit() {
        Context p = prev;
        prev = null;
        if (p == null) {
            CURRENT.remove();           // a task's context shows through again
        } else {
            CURRENT.set(p);
        }
        entered = 0;
    }

    /** A shallow copy of this context (Python's {@code ctx.copy()}): the same variables and values. */
    public Context copy() {
        return new Context(vars);
    }

    /** The value of {@code var} in this context, or null if it has none (Python's {@code ctx.get(var)}). */
    @SuppressWarnings("unchecked")
    public <T> T get(ContextVar<T> var) {
        Vars v = vars;
        int i = v.indexOf(var);
        return i < 0 ? null : (T) v.values[i];
    }

    /** The value of {@code var} in this context, or {@code defaultValue} if it has none. */
    @SuppressWarnings("unchecked")
    public <T> T get(ContextVar<T> var, T defaultValue) {
        Vars v = vars;
        int i = v.indexOf(var);
        return i < 0 ? defaultValue : (T) v.values[i];
    }

    /** As {@link #get(ContextVar)}: null for anything that is not a variable of this context. */
    @Override
    public Object get(Object key) {
        Vars v = vars;
        int i = v.indexOf(key);
        return i < 0 ? null : v.values[i];
    }

    /** Whether {@code key} is a variable with a value in this context (Python's {@code var in ctx}). */
    @Override
    public boolean containsKey(Object key) {
        return vars.indexOf(key) >= 0;
    }

    /** The number of variables with a value in this context (Python's {@code len(ctx)}). */
    @Override
    public int size() {
        return vars.keys.length;
    }

    /** The variables and their values, in the order they were first set; a snapshot when iterated. */
    @Override
    public Set<Map.Entry<ContextVar<?>, Object>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Map.Entry<ContextVar<?>, Object>> iterator() {
                Vars v = vars;
                return new Iterator<>() {
                    private int i;

                    @Override
                    public boolean hasNext() {
                        return i < v.keys.length;
                    }

                    @Override
                    public Map.Entry<ContextVar<?>, Object> next() {
                        if (i >= v.keys.length) {
                            throw new NoSuchElementException();
                        }
                        Map.Entry<ContextVar<?>, Object> e = new SimpleImmutableEntry<>(v.keys[i], v.values[i]);
                        i++;
                        return e;
                    }
                };
            }

            @Override
            public int size() {
                return vars.keys.length;
            }
        };
    }

    @Override
    public String toString() {
        return "Context@" + Integer.toHexString(System.identityHashCode(this)) + super.toString();
    }

    /** An immutable table of variables and values, searched by identity. */
    static final class Vars {
        static final Vars EMPTY = new Vars(new ContextVar<?>[0], new Object[0]);

        final ContextVar<?>[] keys;
        final Object[] values;

        private Vars(ContextVar<?>[] keys, Object[] values) {
            this.keys = keys;
            this.values = values;
        }

        int indexOf(Object var) {
            ContextVar<?>[] k = keys;
            for (int i = 0; i < k.length; i++) {
                if (k[i] == var) {
                    return i;
                }
            }
            return -1;
        }

        /** This table with {@code var} set to {@code value}. */
        Vars with(ContextVar<?> var, Object value) {
            int i = indexOf(var);
            if (i >= 0) {
                Object[] v = values.clone();
                v[i] = value;
                return new Vars(keys, v);
            }
            int n = keys.length;
            ContextVar<?>[] k = Arrays.copyOf(keys, n + 1);
            Object[] v = Arrays.copyOf(values, n + 1);
            k[n] = var;
            v[n] = value;
            return new Vars(k, v);
        }

        /** This table without {@code var}. */
        Vars without(ContextVar<?> var) {
            int i = indexOf(var);
            if (i < 0) {
                return this;
            }
            int n = keys.length;
            ContextVar<?>[] k = new ContextVar<?>[n - 1];
            Object[] v = new Object[n - 1];
            System.arraycopy(keys, 0, k, 0, i);
            System.arraycopy(values, 0, v, 0, i);
            System.arraycopy(keys, i + 1, k, i, n - i - 1);
            System.arraycopy(values, i + 1, v, i, n - i - 1);
            return new Vars(k, v);
        }
    }
}
