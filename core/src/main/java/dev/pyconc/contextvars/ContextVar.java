package dev.pyconc.contextvars;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.NoSuchElementException;
import java.util.Set;

import dev.pyconc.core.internal.ContextSupport;

/**
 * A variable whose value depends on the {@link Context} the code runs in: Python's
 * {@code contextvars.ContextVar}. Declare it once, as a constant; {@link #set} changes it in the
 * current context only, so each thread, and each asyncio task, sees its own value, and a task
 * starts with the values of the code that created it.
 *
 * <pre> {@code
 * static final ContextVar<String> REQUEST_ID = new ContextVar<>("request_id", "-");
 *
 * Token<String> token = REQUEST_ID.set("r-42");
 * try {
 *     handle();                       // REQUEST_ID.get() is "r-42" here and in the tasks it creates
 * } finally {
 *     REQUEST_ID.reset(token);        // back to the value before set()
 * }
 * }</pre>
 *
 * <p><b>Bridging to SLF4J's MDC.</b> The MDC is a thread-local map, and the body of an asyncio
 * task may run on a thread that ran other tasks before: copy the variable into the MDC where the
 * logging happens, rather than expecting the MDC to follow the task.
 *
 * <pre> {@code
 * static final ContextVar<String> REQUEST_ID = new ContextVar<>("request_id", "-");
 *
 * static void log(String message) {
 *     try (var mdc = MDC.putCloseable("request_id", REQUEST_ID.get())) {
 *         LOG.info(message);             // a layout with %X{request_id} prints the task's id
 *     }
 * }
 * }</pre>
 *
 * <p>A value may be null; {@link #get()} tells a variable with no value (it throws
 * {@link NoSuchElementException}, Python's LookupError) from one whose value is null. Variables
 * are compared by identity, as in Python.
 *
 * <p>Memory consistency effects: as for {@link Context}: a value set in a context is seen by every
 * later {@code get} in that context, in any thread.
 */
public final class ContextVar<T> {
    private static final ThreadLocal<Set<ContextVar<?>>> IN_TO_STRING =
            ThreadLocal.withInitial(() -> Collections.newSetFromMap(new IdentityHashMap<>()));

    private final String name;
    private final T defaultValue;
    private final boolean hasDefault;

    /** A variable named {@code name} with no default: {@link #get()} throws until it is set. */
    public ContextVar(String name) {
        this(name, null, false);
    }

    /** A variable named {@code name} whose value is {@code defaultValue} in a context where it is not set. */
    public ContextVar(String name, T defaultValue) {
        this(name, defaultValue, true);
    }

    private ContextVar(String name, T defaultValue, boolean hasDefault) {
        if (name == null) {
            throw new IllegalArgumentException("the name of a ContextVar must not be null");
        }
        this.name = name;
        this.defaultValue = defaultValue;
        this.hasDefault = hasDefault;
        ContextSupport.markUsed();
    }

    /** The variable's name (Python's {@code var.name}). */
    public String name() {
        return name;
    }

    /**
     * The variable's value in the current context, or its default if it has none there.
     *
     * @throws NoSuchElementException if it has neither (Python's LookupError)
     */
    @SuppressWarnings("unchecked")
    public T get() {
        Context.Vars v = Context.current().vars();
        int i = v.indexOf(this);
        if (i >= 0) {
            return (T) v.values[i];
        }
        if (hasDefault) {
            return defaultValue;
        }
        throw new NoSuchElementException(this + " has no value in the current context and no default");
    }

    /**
     * The variable's value in the current context; else {@code defaultValue} (Python's
     * {@code var.get(default)}, which takes precedence over the variable's own default).
     */
    @SuppressWarnings("unchecked")
    public T get(T defaultValue) {
        Context.Vars v = Context.current().vars();
        int i = v.indexOf(this);
        return i >= 0 ? (T) v.values[i] : defaultValue;
    }

    /**
     * Sets the variable's value in the current context and returns a {@link Token} that
     * {@link #reset} takes to restore the value it had before.
     */
    public Token<T> set(T value) {
        Context c = Context.current();
        Context.Vars v = c.vars();
        int i = v.indexOf(this);
        Object old = i >= 0 ? v.values[i] : Token.MISSING;
        c.vars(v.with(this, value));
        return new Token<>(c, this, old);
    }

    /**
     * Restores the value the variable had before the {@link #set} that returned {@code token}:
     * that value, or no value at all.
     *
     * @throws IllegalStateException if the token was used already (Python's RuntimeError)
     * @throws IllegalArgumentException if the token was made by another variable, or in another
     *         context than the current one (Python's ValueError)
     */
    public void reset(Token<T> token) {
        if (token == null) {
            throw new IllegalArgumentException("token must not be null");
        }
        if (token.used) {
            throw new IllegalStateException(token + " has already been used once");
        }
        if (token.var() != this) {
            throw new IllegalArgumentException(token + " was created by a different ContextVar");
        }
        Context c = Context.current();
        if (token.context != c) {
            throw new IllegalArgumentException(token + " was created in a different Context");
        }
        token.used = true;
        Object old = token.oldValue();
        c.vars(old == Token.MISSING ? c.vars().without(this) : c.vars().with(this, old));
    }

    /** {@code ContextVar@1b6d3586[name='request_id' default='-']}. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("ContextVar@").append(Integer.toHexString(System.identityHashCode(this)))
                .append("[name='").append(name).append('\'');
        if (hasDefault) {
            Set<ContextVar<?>> busy = IN_TO_STRING.get();
            if (busy.add(this)) {
                try {
                    b.append(" default=").append(defaultValue);
                } finally {
                    busy.remove(this);
                }
            } else {
                b.append(" default=...");
            }
        }
        return b.append(']').toString();
    }
}
