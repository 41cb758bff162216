package dev.pyconc.threading;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.pyconc.core.internal.GilRuntime;
import dev.pyconc.core.internal.NativeIds;

/**
 * A thread of control, Python's {@code threading.Thread}: give it a target, or extend it and
 * override {@link #run()}; then {@link #start()} it and {@link #join()} it.
 *
 * <pre> {@code
 * var t = new Thread(() -> download(url), "fetcher");
 * t.start();
 * t.join(Duration.ofSeconds(5));
 * if (t.isAlive()) { ... }            // join timed out
 *
 * var d = Thread.builder().target(this::poll).name("poller").daemon(true).build();
 * }</pre>
 *
 * <p>Each pyconc thread runs on its own platform {@link java.lang.Thread}. As in Python, the JVM
 * waits for non-daemon threads at exit and not for daemon threads; a new thread is a daemon if
 * the thread that creates it is one, unless told otherwise. An exception thrown by {@code run()}
 * goes to the hook set with {@link Threading#setExcepthook}, which by default logs it through
 * SLF4J with the thread's name. pyconc threads are attached to the GIL (see
 * {@link dev.pyconc.gil.Gil}) for their whole run.
 *
 * <p>{@code Thread} here is this class; write {@code java.lang.Thread} for the JDK's.
 *
 * <p>Memory consistency effects: actions prior to {@link #start()} <i>happen-before</i> the
 * thread's first action, and its actions happen-before the return of a {@link #join()} that saw
 * it end, or an {@link #isAlive()} that returns {@code false}.
 * See <a href="package-summary.html#MemoryVisibility">Memory Visibility</a>.
 */
public class Thread {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final Runnable target;
    private volatile String name;
    private volatile boolean daemon;
    private final AtomicBoolean startCalled = new AtomicBoolean();
    private final Event started = new Event();
    private final Event stopped = new Event();
    private volatile java.lang.Thread carrier;      // the JDK thread that runs this one
    private volatile Long nativeId;
    private final boolean foreign;                  // wraps a thread pyconc did not start

    /**
     * How to build a {@link Thread} with Python's keyword arguments:
     * {@code Thread.builder().target(r).name("w").daemon(true).build()}.
     */
    public static final class Builder {
        private Runnable target;
        private String name;
        private Boolean daemon;

        private Builder() {}

        /** What {@code run()} calls; none by default. */
        public Builder target(Runnable target) {
            this.target = target;
            return this;
        }

        /** The name; {@code Thread-N} by default, and when empty. */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** Whether the JVM may exit while the thread runs; inherited from the creating thread by default. */
        public Builder daemon(boolean daemon) {
            this.daemon = daemon;
            return this;
        }

        /** A new, unstarted thread. */
        public Thread build() {
            return new Thread(target, name, daemon);
        }
    }

    /** A builder, for Python's keyword arguments. */
    public static Builder builder() {
        return new Builder();
    }

    /** A thread whose {@link #run()} a subclass overrides; named {@code Thread-N}. */
    public Thread() {
        this(null, null, null);
    }

    /** A thread that runs {@code target}; named {@code Thread-N}. */
    public Thread(Runnable target) {
        this(target, null, null);
    }

    /** A thread named {@code name} (a {@code null} or empty one is {@code Thread-N}) that runs {@code target}. */
    public Thread(Runnable target, String name) {
        this(target, name, null);
    }

    private Thread(Runnable target, String name, Boolean daemon) {
        this.target = target;
        this.name = name != null && !name.isEmpty() ? name : "Thread-" + COUNTER.incrementAndGet();
        this.daemon = daemon != null ? daemon : Threading.currentThread().isDaemon();
        this.foreign = false;
    }

    /** Wraps a thread that pyconc did not start: the main thread, or any other JDK thread. */
    Thread(java.lang.Thread existing, String name) {
        this.target = null;
        this.name = name;
        this.daemon = existing.isDaemon();
        this.foreign = true;
        this.carrier = existing;
        this.startCalled.set(true);
        this.started.set();
        if (existing == java.lang.Thread.currentThread()) {
            this.nativeId = NativeIds.current();
        }
    }

    /**
     * Starts the thread: {@link #run()} is called in a new thread. Returns once the thread runs,
     * as Python's {@code start} does.
     *
     * @throws IllegalStateException if the thread was started before
     */
    public void start() {
        GilRuntime.checkpoint();
        if (!startCalled.compareAndSet(false, true)) {
            throw new IllegalStateException("threads can only be started once");
        }
        java.lang.Thread t = java.lang.Thread.ofPlatform().name(name).daemon(daemon).stackSize(Threading.stackSize())
                .unstarted(this::bootstrap);
        carrier = t;
        try {
            t.start();
        } catch (OutOfMemoryError e) {
            carrier = null;
            stopped.set();
            throw new IllegalStateException("can't start new thread: " + e.getMessage(), e);
        }
        started.await();
    }

    private void bootstrap() {
        GilRuntime.attach();
        try {
            nativeId = NativeIds.current();
            Threading.register(this);
            started.set();
            try {
                run();
            } catch (Throwable e) {
                Threading.invokeExcepthook(this, e);
            }
        } finally {
            Threading.unregister(this);
            GilRuntime.detach();
            started.set();      // already set unless bootstrap failed; start() must not wait forever
            stopped.set();
        }
    }

    /**
     * What the thread does: calls the target given to the constructor, if any. Subclasses
     * override it.
     */
    public void run() {
        if (target != null) {
            target.run();
        }
    }

    /**
     * Waits until the thread ends.
     *
     * @throws IllegalStateException if the thread was not started, is the calling thread, or is
     *         the dummy thread of a thread pyconc did not start (other than the main thread)
     */
    public void join() {
        checkJoinable();
        if (foreign) {
            joinForeign(-1);
        } else {
            stopped.await();
        }
    }

    /**
     * Waits until the thread ends or {@code timeout} elapses; call {@link #isAlive()} afterwards
     * to tell which, as in Python.
     *
     * @throws IllegalStateException if the thread was not started, is the calling thread, or is
     *         the dummy thread of a thread pyconc did not start (other than the main thread)
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public void join(Duration timeout) {
        long nanos = dev.pyconc.core.internal.Timeouts.toNanos(timeout);
        checkJoinable();
        if (foreign) {
            joinForeign(nanos);
        } else {
            stopped.await(timeout);
        }
    }

    private void checkJoinable() {
        GilRuntime.checkpoint();
        if (foreign && this != Threading.mainThread()) {
            throw new IllegalStateException("cannot join a dummy thread");
        }
        if (!startCalled.get()) {
            throw new IllegalStateException("cannot join thread before it is started");
        }
        if (carrier == java.lang.Thread.currentThread()) {
            throw new IllegalStateException("cannot join current thread");
        }
    }

    private void joinForeign(long nanos) {
        boolean dropped = GilRuntime.beginBlocking();
        try {
            if (nanos < 0) {
                carrier.join();
            } else if (nanos > 0) {
                carrier.join(Duration.ofNanos(nanos));
            }
        } catch (InterruptedException e) {
            throw dev.pyconc.core.internal.Interrupts.unchecked(e);
        } finally {
            GilRuntime.endBlocking(dropped);
        }
    }

    /** Whether the thread has started and not yet ended. */
    public boolean isAlive() {
        if (foreign) {
            return carrier.isAlive();
        }
        return started.isSet() && !stopped.isSet();
    }

    /** The thread's name. */
    public String name() {
        return name;
    }

    /** Renames the thread; the JDK thread under it is renamed too. */
    public void setName(String name) {
        if (name == null) {
            throw new IllegalArgumentException("name must not be null");
        }
        this.name = name;
        java.lang.Thread t = carrier;
        if (t != null && !foreign) {
            t.setName(name);
        }
    }

    /** Whether the thread is a daemon thread: the JVM does not wait for it at exit. */
    public boolean isDaemon() {
        return daemon;
    }

    /**
     * Makes the thread a daemon thread or not.
     *
     * @throws IllegalStateException if the thread was started already
     */
    public void setDaemon(boolean daemon) {
        if (startCalled.get()) {
            throw new IllegalStateException("cannot set daemon status of active thread");
        }
        this.daemon = daemon;
    }

    /**
     * The thread's identifier, unique among live threads: the JDK's {@link java.lang.Thread#threadId()};
     * {@code null} before {@link #start()}. Python: {@code Thread.ident}.
     */
    public Long ident() {
        java.lang.Thread t = carrier;
        return t == null || !started.isSet() ? null : t.threadId();
    }

    /**
     * The operating system's id of the thread (Linux: its TID), {@code null} before it runs, or
     * for a thread pyconc did not start until that thread has called
     * {@link Threading#currentThread()}. Python: {@code Thread.native_id}.
     */
    public Long nativeId() {
        return nativeId;
    }

    /** Records the native id of a thread pyconc did not start, once that thread itself asks. */
    void noteNativeId() {
        if (nativeId == null && carrier == java.lang.Thread.currentThread()) {
            nativeId = NativeIds.current();
        }
    }

    /** The JDK thread under this one, {@code null} before {@link #start()}. */
    public java.lang.Thread javaThread() {
        return carrier;
    }

    /**
     * Python's repr: {@code <Thread(name, started daemon 42)>}, with the status ({@code initial},
     * {@code started} or {@code stopped}), {@code daemon} for a daemon thread and the ident once it
     * has one; the class is {@code _MainThread} or {@code _DummyThread} for a thread pyconc did not
     * start, as Python names those.
     */
    @Override
    public String toString() {
        String status = !startCalled.get() ? "initial" : isAlive() ? "started" : "stopped";
        if (daemon) {
            status += " daemon";
        }
        Long id = ident();
        if (id != null) {
            status += " " + id;
        }
        String cls = !foreign ? getClass().getSimpleName() : this == Threading.mainThread() ? "_MainThread" : "_DummyThread";
        return "<" + cls + "(" + name + ", " + status + ")>";
    }
}
