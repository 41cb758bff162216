package dev.pyconc.threading;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pyconc.core.internal.NativeIds;

/**
 * The module-level functions of Python's {@code threading} module.
 *
 * <pre> {@code
 * Thread me = Threading.currentThread();
 * if (me == Threading.mainThread()) { ... }
 * Threading.setExcepthook(args -> metrics.count(args.excType()));
 * }</pre>
 *
 * <p>Threads that pyconc did not start (the main thread, pool threads of the JDK) get a
 * {@link Thread} object of their own the first time they call {@link #currentThread()}, as
 * Python's dummy threads do; {@link #enumerate()} lists those that are still alive, and joining
 * one, other than the main thread's, throws {@link IllegalStateException} as in Python.
 *
 * <p>Memory consistency effects: none beyond those of {@link Thread}.
 */
public final class Threading {
    private static final Logger LOG = LoggerFactory.getLogger(Threading.class);

    /** The longest timeout a blocking call accepts: longer ones wait as long as this. */
    public static final Duration TIMEOUT_MAX = Duration.ofNanos(Long.MAX_VALUE);

    private static final Thread MAIN = new Thread(findMainThread(), "MainThread");
    private static final ThreadLocal<Thread> CURRENT = new ThreadLocal<>();
    private static final ConcurrentHashMap<java.lang.Thread, Thread> STARTED = new ConcurrentHashMap<>();
    private static final Set<Thread> FOREIGN = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
    private static volatile Consumer<ExceptHookArgs> excepthook = Threading::defaultExcepthook;

    private Threading() {}

    /** The main thread: the JVM's {@code main} thread. */
    private static java.lang.Thread findMainThread() {
        java.lang.Thread main = null;
        for (java.lang.Thread t : java.lang.Thread.getAllStackTraces().keySet()) {
            ThreadGroup group = t.getThreadGroup();
            if ("main".equals(t.getName()) && !t.isDaemon() && group != null && "main".equals(group.getName())
                    && (main == null || t.threadId() < main.threadId())) {
                main = t;
            }
        }
        // The main thread may have ended before pyconc was first used: stand in with one that never ran.
        return main != null ? main : java.lang.Thread.ofPlatform().name("main").unstarted(() -> {});
    }

    /** The {@link Thread} of the caller; created on first call for a thread pyconc did not start. */
    public static Thread currentThread() {
        Thread t = CURRENT.get();
        if (t != null) {
            return t;
        }
        java.lang.Thread me = java.lang.Thread.currentThread();
        t = STARTED.get(me);
        if (t == null) {
            if (me == MAIN.javaThread()) {
                t = MAIN;
                t.noteNativeId();
            } else {
                t = new Thread(me, me.getName());
                FOREIGN.add(t);
            }
        }
        CURRENT.set(t);
        return t;
    }

    /** The main thread's {@link Thread}. */
    public static Thread mainThread() {
        return MAIN;
    }

    /** The number of alive threads that {@link #enumerate()} lists. */
    public static int activeCount() {
        return enumerate().size();
    }

    /**
     * The alive threads pyconc knows: the main thread, every started pyconc {@link Thread} that
     * has not ended, and every other thread that called {@link #currentThread()}.
     */
    public static List<Thread> enumerate() {
        List<Thread> all = new ArrayList<>();
        if (MAIN.isAlive()) {
            all.add(MAIN);
        }
        all.addAll(STARTED.values());
        synchronized (FOREIGN) {
            for (Thread t : FOREIGN) {
                if (t.isAlive()) {
                    all.add(t);
                }
            }
        }
        return all;
    }

    /** The stack size of the threads that {@link Thread#start()} starts from now on, or 0 for the JVM's default. */
    private static volatile long stackSize;

    /** The smallest stack size {@link #stackSize(long)} accepts, besides 0: Python's 32 KiB. */
    private static final long MIN_STACK_SIZE = 32 * 1024;

    /**
     * The stack size, in bytes, of the threads started from now on, 0 meaning the JVM's default
     * ({@code -Xss}): Python's {@code threading.stack_size()}.
     */
    public static long stackSize() {
        return stackSize;
    }

    /**
     * Sets the stack size of the threads started from now on and returns the previous one:
     * Python's {@code threading.stack_size(size)}. 0 restores the JVM's default. As for Python's,
     * the platform may round the size up; the JVM takes it as a request
     * ({@link java.lang.Thread.Builder.OfPlatform#stackSize}).
     *
     * @throws IllegalArgumentException if {@code size} is neither 0 nor at least 32 KiB (32,768 bytes)
     */
    public static long stackSize(long size) {
        if (size != 0 && size < MIN_STACK_SIZE) {
            throw new IllegalArgumentException("size not valid: " + size + " bytes");
        }
        synchronized (Threading.class) {
            long old = stackSize;
            stackSize = size;
            return old;
        }
    }

    /** The caller's thread identifier, as {@link Thread#ident()} gives it. */
    public static long getIdent() {
        return java.lang.Thread.currentThread().threadId();
    }

    /** The caller's native thread id (Linux: TID), as {@link Thread#nativeId()} gives it. */
    public static long getNativeId() {
        return NativeIds.current();
    }

    /**
     * Sets the hook that handles exceptions thrown by a thread's {@code run()}: Python's
     * {@code threading.excepthook = hook}.
     *
     * @throws IllegalArgumentException if {@code hook} is null (use {@link #defaultExcepthook} to restore it)
     */
    public static void setExcepthook(Consumer<ExceptHookArgs> hook) {
        if (hook == null) {
            throw new IllegalArgumentException("hook must not be null; pass Threading::defaultExcepthook to restore the default");
        }
        excepthook = hook;
    }

    /** The current exception hook. */
    public static Consumer<ExceptHookArgs> getExcepthook() {
        return excepthook;
    }

    /**
     * The default exception hook (Python's {@code threading.__excepthook__}): logs the exception
     * at error level through SLF4J, with the thread's name, or the caller's {@link #getIdent()}
     * when {@code args} names no thread.
     */
    public static void defaultExcepthook(ExceptHookArgs args) {
        String name = args.thread() != null ? args.thread().name() : String.valueOf(getIdent());
        LOG.error("Exception in thread {}", name, args.excValue());
    }

    static void invokeExcepthook(Thread thread, Throwable e) {
        try {
            excepthook.accept(new ExceptHookArgs(e.getClass(), e, thread));
        } catch (Throwable hookFailure) {
            hookFailure.addSuppressed(e);
            LOG.error("Exception in the thread exception hook, handling an exception of thread {}",
                    thread.name(), hookFailure);
        }
    }

    static void register(Thread thread) {
        STARTED.put(java.lang.Thread.currentThread(), thread);
        CURRENT.set(thread);
    }

    static void unregister(Thread thread) {
        STARTED.remove(java.lang.Thread.currentThread(), thread);
    }
}
