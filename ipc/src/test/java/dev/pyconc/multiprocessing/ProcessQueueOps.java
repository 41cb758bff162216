package dev.pyconc.multiprocessing;

import java.time.Duration;
import java.util.function.Supplier;

import dev.pyconc.testing.queue.QueueOps;
import dev.pyconc.builtins.InterruptedError;

/**
 * Drives the process queues through core's queue contract tests. The contract finds a blocked
 * caller by its thread state (WAITING) and a class on its stack, but a thread asleep in a futex
 * is RUNNABLE; so each blocking call runs on a virtual thread (which waits by parking) while the
 * caller waits for it in this class, and an interrupt of the caller is passed on to it.
 */
final class ProcessQueueOps implements QueueOps<Integer> {
    private final Queue<Integer> queue;
    private final SimpleQueue<Integer> simple;

    private ProcessQueueOps(Queue<Integer> queue, SimpleQueue<Integer> simple) {
        this.queue = queue;
        this.simple = simple;
    }

    static ProcessQueueOps of(Queue<Integer> queue) {
        return new ProcessQueueOps(queue, null);
    }

    static ProcessQueueOps of(SimpleQueue<Integer> simple) {
        return new ProcessQueueOps(null, simple);
    }

    /** Runs {@code op} on a virtual thread and waits for it here, passing an interrupt on. */
    static <T> T blocking(Supplier<T> op) {
        Object[] result = new Object[1];
        Throwable[] failure = new Throwable[1];
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                result[0] = op.get();
            } catch (Throwable e) {
                failure[0] = e;
            }
        });
        boolean interrupted = false;
        for (;;) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
                t.interrupt();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure[0] instanceof RuntimeException e) {
            if (e instanceof InterruptedError) {
                Thread.currentThread().interrupt();
            }
            throw e;
        }
        if (failure[0] instanceof Error e) {
            throw e;
        }
        @SuppressWarnings("unchecked")
        T r = (T) result[0];
        return r;
    }

    private static void blocking(Runnable op) {
        blocking(() -> {
            op.run();
            return null;
        });
    }

    @Override
    public void put(Integer item) {
        blocking(() -> {
            if (queue != null) {
                queue.put(item);
            } else {
                simple.put(item);
            }
        });
    }

    @Override
    public Integer get() {
        return blocking(() -> queue != null ? queue.get() : simple.get());
    }

    @Override
    public Integer get(Duration timeout) {
        return blocking(() -> queue != null ? queue.get(timeout) : simple.get(timeout));
    }

    @Override
    public Integer getNowait() {
        return queue != null ? queue.getNowait() : simple.getNowait();
    }

    @Override
    public void putNowait(Integer item) {
        if (queue != null) {
            queue.putNowait(item);
        } else {
            simple.put(item);
        }
    }

    @Override
    public int qsize() {
        return queue != null ? queue.qsize() : simple.qsize();
    }

    @Override
    public boolean empty() {
        return queue != null ? queue.empty() : simple.empty();
    }

    @Override
    public void put(Integer item, Duration timeout) {
        blocking(() -> queue.put(item, timeout));
    }

    @Override
    public boolean full() {
        return queue.full();
    }

    @Override
    public void taskDone() {
        ((JoinableQueue<Integer>) queue).taskDone();
    }

    @Override
    public void join() {
        blocking(() -> ((JoinableQueue<Integer>) queue).join());
    }

    @Override
    public void shutdown(boolean immediate) {
        queue.shutdown(immediate);
    }
}
