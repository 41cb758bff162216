package dev.pyconc.threading;

import java.util.function.Supplier;

/**
 * A value with one instance per thread, Python's {@code threading.local}: each thread sees only
 * what it set itself.
 *
 * <pre> {@code
 * static final Local<Connection> CONN = Local.withInitial(Db::connect);
 * CONN.get().query(...);        // each thread gets and keeps its own connection
 * }</pre>
 *
 * <p>Python's {@code local} holds attributes; a {@code Local<T>} holds one value (use a record or
 * a map for several). A subclass of Python's {@code local} whose {@code __init__} runs in each
 * thread is {@link #withInitial}.
 *
 * <p>Memory consistency effects: none between threads; each thread reads only its own value.
 */
public class Local<T> {
    private final ThreadLocal<T> values;

    /** A thread-local value that is {@code null} in each thread until set. */
    public Local() {
        this.values = new ThreadLocal<>();
    }

    private Local(ThreadLocal<T> values) {
        this.values = values;
    }

    /** A thread-local value that each thread initialises with {@code initial} on first {@link #get()}. */
    public static <T> Local<T> withInitial(Supplier<? extends T> initial) {
        if (initial == null) {
            throw new IllegalArgumentException("initial must not be null");
        }
        return new Local<>(ThreadLocal.withInitial(initial));
    }

    /** The calling thread's value. */
    public T get() {
        return values.get();
    }

    /** Sets the calling thread's value. */
    public void set(T value) {
        values.set(value);
    }

    /** Forgets the calling thread's value ({@code del local.x}); the next get initialises it again. */
    public void remove() {
        values.remove();
    }
}
