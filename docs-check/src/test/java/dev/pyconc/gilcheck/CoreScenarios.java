package dev.pyconc.gilcheck;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import dev.pyconc.futures.Executor;
import dev.pyconc.futures.Future;
import dev.pyconc.futures.Futures;
import dev.pyconc.futures.ReturnWhen;
import dev.pyconc.futures.ThreadPoolExecutor;
import dev.pyconc.queue.Queue;
import dev.pyconc.queue.SimpleQueue;
import dev.pyconc.threading.Barrier;
import dev.pyconc.threading.Condition;
import dev.pyconc.threading.Event;
import dev.pyconc.threading.Held;
import dev.pyconc.threading.Lock;
import dev.pyconc.threading.Lockable;
import dev.pyconc.threading.RLock;
import dev.pyconc.threading.Semaphore;
import dev.pyconc.threading.Thread;
import dev.pyconc.threading.Timer;

/** The blocking calls of core: threading, queue and concurrent.futures. */
final class CoreScenarios {
    private static final Duration LONG = Duration.ofSeconds(60);

    private CoreScenarios() {}

    static void register(Scenarios s) {
        // ---------------------------------------------------------------- locks
        s.add(() -> heldLock(new Lock(), l -> l.acquire()), "threading.Lock.acquire()");
        s.add(() -> heldLock(new Lock(), l -> l.acquire(LONG)), "threading.Lock.acquire(Duration)");
        s.add(() -> heldLock(new Lock(), l -> {
            try (var _ = l.enter()) {
                return true;
            }
        }), "threading.Lock.enter()");
        s.add(() -> heldLock(new Lock(), l -> {
            l.reacquire(1);
            return true;
        }), "threading.Lock.reacquire(long)");
        s.add(() -> heldLock(new Lock(), l -> {
            Lockable plain = new PlainLock(l);         // a Lockable with the default reacquire
            plain.reacquire(1);
            return true;
        }), "threading.Lockable.reacquire(long)");
        s.add(() -> heldRLock(new RLock(), l -> released(l, l.acquire())), "threading.RLock.acquire()");
        s.add(() -> heldRLock(new RLock(), l -> released(l, l.acquire(LONG))), "threading.RLock.acquire(Duration)");
        s.add(() -> heldRLock(new RLock(), l -> {
            try (var _ = l.enter()) {
                return true;
            }
        }), "threading.RLock.enter()");
        s.add(() -> heldRLock(new RLock(), l -> {
            l.reacquire(2);
            return l.releaseFully() == 2;
        }), "threading.RLock.reacquire(long)");

        // ---------------------------------------------------------------- condition
        s.add(() -> heldCondition(c -> c.acquire()), "threading.Condition.acquire()");
        s.add(() -> heldCondition(c -> c.acquire(LONG)), "threading.Condition.acquire(Duration)");
        s.add(() -> heldCondition(c -> {
            try (var _ = c.enter()) {
                return true;
            }
        }), "threading.Condition.enter()");
        // Over threading's own locks a condition waits in the lock's queue; over any other Lockable
        // (here a multiprocessing.Lock) in a FIFO of its own: each way has its case.
        for (var over : List.<Map.Entry<String, Supplier<Lockable>>>of(Map.entry(Scenarios.MAIN, RLock::new),
                Map.entry("over a multiprocessing.Lock", dev.pyconc.multiprocessing.Lock::new))) {
            Supplier<Lockable> lock = over.getValue();
            s.variant(over.getKey(), () -> signalled(lock, c -> c.await()), "threading.Condition.await()");
            s.variant(over.getKey(), () -> signalled(lock, c -> c.await(LONG)), "threading.Condition.await(Duration)");
            s.variant(over.getKey(), () -> signalled(lock, c -> c.waitFor(() -> FLAG.get())),
                    "threading.Condition.waitFor(BooleanSupplier)");
            s.variant(over.getKey(), () -> signalled(lock, c -> c.waitFor(() -> FLAG.get(), LONG)),
                    "threading.Condition.waitFor(BooleanSupplier, Duration)");
        }

        // ---------------------------------------------------------------- semaphores, events, barriers, threads
        s.add(() -> {
            var sem = new Semaphore(0);
            return Case.of(sem::acquire).unblock(sem::release).returns(true);
        }, "threading.Semaphore.acquire()");
        s.add(() -> {
            var sem = new Semaphore(0);
            return Case.of(() -> sem.acquire(LONG)).unblock(sem::release).returns(true);
        }, "threading.Semaphore.acquire(Duration)");
        s.add(() -> {
            var sem = new Semaphore(0);
            return Case.of(() -> {
                try (var _ = sem.enter()) {
                    return true;
                }
            }).unblock(sem::release);
        }, "threading.Semaphore.enter()");
        s.add(() -> {
            var ev = new Event();
            return Case.of(ev::await).unblock(ev::set).returns(true);
        }, "threading.Event.await()");
        s.add(() -> {
            var ev = new Event();
            return Case.of(() -> ev.await(LONG)).unblock(ev::set).returns(true);
        }, "threading.Event.await(Duration)");
        s.add(() -> {
            var b = new Barrier(2);
            return Case.of(b::await).unblock(b::await);
        }, "threading.Barrier.await()");
        s.add(() -> {
            var b = new Barrier(2);
            return Case.of(() -> b.await(LONG)).unblock(b::await);
        }, "threading.Barrier.await(Duration)");
        s.add(() -> {
            var ev = new Event();
            var t = new Thread(ev::await, "waits-for-the-event");
            t.start();
            return Case.ofVoid(t::join).unblock(ev::set);
        }, "threading.Thread.join()");
        s.add(() -> {
            var ev = new Event();
            var t = new Thread(ev::await, "waits-for-the-event");
            t.start();
            return Case.of(() -> {
                t.join(LONG);
                return t.isAlive();
            }).unblock(ev::set).returns(false);
        }, "threading.Thread.join(Duration)");
        s.add(() -> {
            var timer = new Timer(LONG, () -> {});
            return Case.ofVoid(timer::run).unblock(timer::cancel);
        }, "threading.Timer.run()");
        s.notBlocking("the thread's body, which start() runs in the new thread: it waits only for what the body waits for",
                "threading.Thread.run()");
        s.waitsBriefly("waits only until the new thread has attached to the GIL and registered, with Event.await()",
                "threading.Thread.start()");
        s.notBlocking("the calling thread's own value: there is nothing to wait for", "threading.Local.get()");

        // ---------------------------------------------------------------- contextvars
        s.notBlocking("reads the current context's table: there is nothing to wait for",
                "contextvars.ContextVar.get()", "contextvars.ContextVar.get(Object)",
                "contextvars.Context.get(ContextVar)", "contextvars.Context.get(ContextVar, Object)",
                "contextvars.Context.get(Object)");
        s.notBlocking("calls fn in the calling thread, in the context: it waits only for what fn waits for",
                "contextvars.Context.run(Callable)", "contextvars.Context.run(Runnable)");

        // ---------------------------------------------------------------- queue
        s.add(() -> {
            var q = new Queue<Integer>();
            return Case.of(q::get).unblock(() -> q.put(7)).returns(7);
        }, "queue.Queue.get()");
        s.add(() -> {
            var q = new Queue<Integer>();
            return Case.of(() -> q.get(LONG)).unblock(() -> q.put(7)).returns(7);
        }, "queue.Queue.get(Duration)");
        s.add(() -> {
            var q = new Queue<Integer>(1);
            q.put(1);
            return Case.ofVoid(() -> q.put(2)).unblock(q::get).then(() -> check(2, q.get()));
        }, "queue.Queue.put(Object)");
        s.add(() -> {
            var q = new Queue<Integer>(1);
            q.put(1);
            return Case.ofVoid(() -> q.put(2, LONG)).unblock(q::get).then(() -> check(2, q.get()));
        }, "queue.Queue.put(Object, Duration)");
        s.add(() -> {
            var q = new Queue<Integer>();
            q.put(1);
            return Case.ofVoid(q::join).unblock(() -> {
                q.get();
                q.taskDone();
            });
        }, "queue.Queue.join()");
        s.add(() -> {
            var q = new SimpleQueue<Integer>();
            return Case.of(q::get).unblock(() -> q.put(7)).returns(7);
        }, "queue.SimpleQueue.get()");
        s.add(() -> {
            var q = new SimpleQueue<Integer>();
            return Case.of(() -> q.get(LONG)).unblock(() -> q.put(7)).returns(7);
        }, "queue.SimpleQueue.get(Duration)");
        s.notBlocking("wakes the waiters and returns: it waits for nothing (Python's shutdown)",
                "queue.Queue.shutdown()", "queue.Queue.shutdown(boolean)");
        s.notBlocking("the queue is unbounded: put never waits for room", "queue.SimpleQueue.put(Object)");

        // ---------------------------------------------------------------- concurrent.futures
        s.add(() -> pending(f -> f.result()).returns(7), "futures.Future.result()");
        s.add(() -> pending(f -> f.result(LONG)).returns(7), "futures.Future.result(Duration)");
        s.add(() -> pending(f -> f.exception()).returns(null), "futures.Future.exception()");
        s.add(() -> pending(f -> f.exception(LONG)).returns(null), "futures.Future.exception(Duration)");
        s.add(() -> pending(f -> Futures.wait(List.of(f)).done().size()).returns(1), "futures.Futures.wait(Collection)");
        s.add(() -> pending(f -> Futures.wait(List.of(f), ReturnWhen.FIRST_COMPLETED).done().size()).returns(1),
                "futures.Futures.wait(Collection, ReturnWhen)");
        s.add(() -> pending(f -> Futures.wait(List.of(f), LONG, ReturnWhen.ALL_COMPLETED).done().size()).returns(1),
                "futures.Futures.wait(Collection, Duration, ReturnWhen)");
        s.add(() -> pending(f -> Futures.asCompleted(List.of(f)).iterator().next().result()).returns(7),
                "futures.Futures.asCompleted(Collection)");
        s.add(() -> pending(f -> Futures.asCompleted(List.of(f), LONG).iterator().next().result()).returns(7),
                "futures.Futures.asCompleted(Collection, Duration)");
        s.add(() -> executorCall((pool, gate) -> collect(pool.map(x -> {
            gate.await();
            return x * 2;
        }, List.of(1, 2)))).returns(List.of(2, 4)), "futures.Executor.map(Function, Iterable)");
        s.add(() -> executorCall((pool, gate) -> collect(pool.map(x -> {
            gate.await();
            return x * 2;
        }, List.of(1, 2), LONG))).returns(List.of(2, 4)), "futures.Executor.map(Function, Iterable, Duration)");
        s.add(() -> executorShutdown(Executor::close), "futures.Executor.close()");
        s.add(() -> executorShutdown(Executor::shutdown), "futures.Executor.shutdown()");
        s.add(() -> executorShutdown(e -> e.shutdown(true)), "futures.Executor.shutdown(boolean)");
        s.add(() -> executorShutdown(e -> e.shutdown(true, false)), "futures.ThreadPoolExecutor.shutdown(boolean, boolean)");
    }

    // ---------------------------------------------------------------- helpers

    private static final java.util.concurrent.atomic.AtomicBoolean FLAG = new java.util.concurrent.atomic.AtomicBoolean();

    @FunctionalInterface
    interface On<T> {
        Object call(T target) throws Exception;
    }

    /**
     * {@code lock}, a lock without owner (either module's Lock), held by the test thread; the call
     * acquires it (and releases what it took).
     */
    static <L extends Lockable> Case heldLock(L lock, On<L> acquire) {
        lock.acquire();
        return Case.of(() -> acquire.call(lock)).unblock(lock::release).returns(true).then(() -> {
            if (lock.locked()) {
                lock.release();          // a Lock has no owner: the test thread may release it
            }
        });
    }

    /**
     * {@code lock}, either module's RLock, held by another thread until unblocked; the call acquires
     * it, and releases what it took.
     */
    static <L extends Lockable> Case heldRLock(L lock, On<L> acquire) {
        var owner = new Event();
        var release = new Event();
        var holder = java.lang.Thread.ofPlatform().daemon(true).start(() -> {
            lock.acquire();
            owner.set();
            release.await();
            lock.release();
        });
        owner.await();
        return Case.of(() -> acquire.call(lock)).unblock(release::set).returns(true).then(() -> {
            join(holder);
            check(false, lock.locked());
        });
    }

    /** Returns {@code value}: for a call that must leave {@code lock} as it found it. */
    static boolean released(Lockable lock, boolean value) {
        lock.release();
        return value;
    }

    /** A condition over a Lock the test thread holds; the call acquires it. */
    private static Case heldCondition(On<Condition> acquire) {
        var lock = new Lock();
        var cond = new Condition(lock);
        lock.acquire();
        return Case.of(() -> acquire.call(cond)).unblock(lock::release).returns(true).then(() -> {
            if (lock.locked()) {
                lock.release();
            }
        });
    }

    /** The call waits on a condition over a new {@code lock} (holding it); unblocking sets FLAG and signals. */
    private static Case signalled(Supplier<Lockable> lock, On<Condition> wait) {
        var cond = new Condition(lock.get());
        FLAG.set(false);
        return Case.of(() -> {
            try (var _ = cond.enter()) {
                return wait.call(cond);
            }
        }).unblock(() -> {
            try (var _ = cond.enter()) {
                FLAG.set(true);
                cond.signal();
            }
        }).returns(true);
    }

    /** A pending future, completed with 7 when unblocked. */
    private static Case pending(On<Future<Integer>> wait) {
        var f = new Future<Integer>();
        return Case.of(() -> wait.call(f)).unblock(() -> f.setResult(7));
    }

    @FunctionalInterface
    interface ExecutorCall {
        Object call(ThreadPoolExecutor pool, Event gate) throws Exception;
    }

    /** A call on an executor whose work waits for a gate that unblocking opens. */
    private static Case executorCall(ExecutorCall call) {
        var pool = new ThreadPoolExecutor(2);
        var gate = new Event();
        return Case.of(() -> call.call(pool, gate)).unblock(gate::set).then(() -> pool.shutdown(true));
    }

    /** Shutting down, with waiting, an executor whose task waits for a gate that unblocking opens. */
    private static Case executorShutdown(java.util.function.Consumer<ThreadPoolExecutor> shutdown) {
        var pool = new ThreadPoolExecutor(1);
        var gate = new Event();
        var started = new Event();
        var task = pool.submit(() -> {
            started.set();
            gate.await();
            return 7;
        });
        started.await();
        return Case.of(() -> {
            shutdown.accept(pool);
            return task.done();
        }).unblock(gate::set).returns(true);
    }

    private static <R> List<R> collect(Iterable<R> results) {
        List<R> out = new ArrayList<>();
        results.forEach(out::add);
        return out;
    }

    static void join(java.lang.Thread t) {
        try {
            if (!t.join(GilProbe.BOUND)) {
                throw new IllegalStateException(t.getName() + " did not end");
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    static void check(Object expected, Object actual) {
        if (!java.util.Objects.equals(expected, actual)) {
            throw new AssertionError("expected " + expected + ", got " + actual);
        }
    }

    /** A lock written against Lockable alone, over another: it keeps the interface's default methods. */
    private record PlainLock(Lock lock) implements Lockable {
        @Override
        public boolean acquire() {
            return lock.acquire();
        }

        @Override
        public boolean acquire(Duration timeout) {
            return lock.acquire(timeout);
        }

        @Override
        public boolean tryAcquire() {
            return lock.tryAcquire();
        }

        @Override
        public void release() {
            lock.release();
        }

        @Override
        public Held enter() {
            return lock.enter();
        }

        @Override
        public boolean locked() {
            return lock.locked();
        }
    }
}
