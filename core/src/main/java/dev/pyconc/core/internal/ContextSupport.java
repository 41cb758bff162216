package dev.pyconc.core.internal;

import java.util.function.Supplier;

/**
 * What the asyncio module needs of {@code contextvars} beyond its public API: whether any context
 * variable exists yet (so that a program using none pays nothing for contexts), the lookup of the
 * running task's context, and entering and leaving a context for a task step. The contexts are
 * {@code dev.pyconc.contextvars.Context}s, passed as {@code Object}s: internal code does not use
 * the public classes of its module (the public ones use it).
 */
public final class ContextSupport {
    private ContextSupport() {}

    /** The operations of Context that are not public: installed by Context's class initializer. */
    public interface Access {
        /** Marks context {@code c} entered by the current thread; false if it is entered already. */
        boolean enter(Object c);

        /** Marks context {@code c} no longer entered. */
        void exit(Object c);
    }

    private static volatile Access access;
    private static volatile boolean used;                  // a ContextVar was created
    private static volatile Supplier<?> taskContext;        // the running task's Context, or null

    /** Context's class initializer installs its operations. */
    public static void install(Access a) {
        access = a;
    }

    /**
     * Whether a {@code ContextVar} was ever created in this JVM. While none was, every context is
     * empty, so a task or callback may leave its copy of the current context to be made when asked.
     */
    public static boolean used() {
        return used;
    }

    /** A ContextVar is being created. */
    public static void markUsed() {
        if (!used) {
            used = true;
        }
    }

    /** Sets the lookup of the context of the task running in the calling thread (asyncio installs it). */
    public static void setTaskContextLookup(Supplier<?> lookup) {
        taskContext = lookup;
    }

    /** The Context of the task running in the calling thread, or null when it runs none. */
    public static Object taskContext() {
        Supplier<?> f = taskContext;
        return f == null ? null : f.get();
    }

    /** Marks Context {@code c} entered by the calling thread; false if it is entered already. */
    public static boolean enter(Object c) {
        return access.enter(c);
    }

    /** Marks Context {@code c}, entered by {@link #enter}, no longer entered. */
    public static void exit(Object c) {
        access.exit(c);
    }
}
