package dev.pyconc.core.internal;

import java.util.function.Supplier;

import dev.pyconc.contextvars.Context;

/**
 * What the asyncio module needs of {@code contextvars} beyond its public API: whether any context
 * variable exists yet (so that a program using none pays nothing for contexts), the lookup of the
 * running task's context, and entering and leaving a context for a task step.
 */
public final class ContextSupport {
    private ContextSupport() {}

    /** The operations of Context that are not public: installed by Context's class initializer. */
    public interface Access {
        /** Marks {@code c} entered by the current thread; false if it is entered already. */
        boolean enter(Context c);

        /** Marks {@code c} no longer entered. */
        void exit(Context c);
    }

    private static volatile Access access;
    private static volatile boolean used;                  // a ContextVar was created
    private static volatile Supplier<Context> taskContext;  // the running task's context, or null

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
    public static void setTaskContextLookup(Supplier<Context> lookup) {
        taskContext = lookup;
    }

    /** The context of the task running in the calling thread, or null when it runs none. */
    public static Context taskContext() {
        Supplier<Context> f = taskContext;
        return f == null ? null : f.get();
    }

    /** Marks {@code c} entered by the calling thread; false if it is entered already. */
    public static boolean enter(Context c) {
        return access.enter(c);
    }

    /** Marks {@code c}, entered by {@link #enter}, no longer entered. */
    public static void exit(Context c) {
        access.exit(c);
    }
}
