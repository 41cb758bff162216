package dev.pyconc.gilcheck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import dev.pyconc.multiprocessing.Array;
import dev.pyconc.multiprocessing.Barrier;
import dev.pyconc.multiprocessing.Condition;
import dev.pyconc.multiprocessing.Connection;
import dev.pyconc.multiprocessing.Event;
import dev.pyconc.multiprocessing.JoinableQueue;
import dev.pyconc.multiprocessing.JournalQueue;
import dev.pyconc.multiprocessing.Lock;
import dev.pyconc.multiprocessing.Multiprocessing;
import dev.pyconc.multiprocessing.Pool;
import dev.pyconc.multiprocessing.Process;
import dev.pyconc.multiprocessing.ProcessPoolExecutor;
import dev.pyconc.multiprocessing.Queue;
import dev.pyconc.multiprocessing.RLock;
import dev.pyconc.multiprocessing.Semaphore;
import dev.pyconc.multiprocessing.SerializableBiFunction;
import dev.pyconc.multiprocessing.SerializableFunction;
import dev.pyconc.multiprocessing.SimpleQueue;
import dev.pyconc.multiprocessing.Value;

/**
 * The blocking calls of ipc: multiprocessing's locks, conditions, semaphores, events, barriers,
 * queues, pipes, shared values, processes and pools. Work done in child processes waits on a
 * shared {@link Event} (a gate) that the unblocking action sets. One pool and one process pool
 * serve all their cases; the last case of each waits for its end.
 */
final class IpcScenarios {
    private static final Duration LONG = Duration.ofSeconds(60);
    /** A pipe message that fits four times, not five, in a pipe's 1 MiB ring. */
    private static final int QUARTER_PIPE = 250_000;
    /** An item that fits four times, not five, in a 4 KiB queue ring. */
    private static final int QUARTER_RING = 900;

    private static Pool pool;
    private static ProcessPoolExecutor processPool;

    private IpcScenarios() {}

    /** Ends the pools if a case failed before their last case ended them. */
    static void close() {
        if (pool != null) {
            pool.terminate();
        }
        if (processPool != null) {
            processPool.shutdown(false, true);
        }
    }

    static void register(Scenarios s) {
        // ---------------------------------------------------------------- locks and conditions
        s.add(() -> CoreScenarios.heldLock(new Lock(), Lock::acquire), "multiprocessing.Lock.acquire()");
        s.add(() -> CoreScenarios.heldLock(new Lock(), l -> l.acquire(LONG)), "multiprocessing.Lock.acquire(Duration)");
        s.add(() -> CoreScenarios.heldLock(new Lock(), l -> {
            try (var _ = l.enter()) {
                return true;
            }
        }), "multiprocessing.Lock.enter()");
        s.add(() -> CoreScenarios.heldLock(new Lock(), l -> {
            l.reacquire(1);
            return true;
        }), "multiprocessing.Lock.reacquire(long)");
        s.add(() -> CoreScenarios.heldRLock(new RLock(), l -> CoreScenarios.released(l, l.acquire())), "multiprocessing.RLock.acquire()");
        s.add(() -> CoreScenarios.heldRLock(new RLock(), l -> CoreScenarios.released(l, l.acquire(LONG))), "multiprocessing.RLock.acquire(Duration)");
        s.add(() -> CoreScenarios.heldRLock(new RLock(), l -> {
            try (var _ = l.enter()) {
                return true;
            }
        }), "multiprocessing.RLock.enter()");
        s.add(() -> CoreScenarios.heldRLock(new RLock(), l -> {
            l.reacquire(2);
            l.release();
            return CoreScenarios.released(l, true);
        }), "multiprocessing.RLock.reacquire(long)");
        s.add(() -> heldCondition(Condition::acquire), "multiprocessing.Condition.acquire()");
        s.add(() -> heldCondition(c -> c.acquire(LONG)), "multiprocessing.Condition.acquire(Duration)");
        s.add(() -> heldCondition(c -> {
            try (var _ = c.enter()) {
                return true;
            }
        }), "multiprocessing.Condition.enter()");
        s.add(() -> signalled(Condition::await), "multiprocessing.Condition.await()");
        s.add(() -> signalled(c -> c.await(LONG)), "multiprocessing.Condition.await(Duration)");
        s.add(() -> signalled(c -> c.waitFor(SIGNALLED::get)), "multiprocessing.Condition.waitFor(BooleanSupplier)");
        s.add(() -> signalled(c -> c.waitFor(SIGNALLED::get, LONG)), "multiprocessing.Condition.waitFor(BooleanSupplier, Duration)");

        // ---------------------------------------------------------------- semaphores, events, barriers, shared values
        s.add(() -> {
            var sem = new Semaphore(0);
            return Case.of(sem::acquire).unblock(sem::release).returns(true);
        }, "multiprocessing.Semaphore.acquire()");
        s.add(() -> {
            var sem = new Semaphore(0);
            return Case.of(() -> sem.acquire(LONG)).unblock(sem::release).returns(true);
        }, "multiprocessing.Semaphore.acquire(Duration)");
        s.add(() -> {
            var sem = new Semaphore(0);
            return Case.of(() -> {
                try (var _ = sem.enter()) {
                    return true;
                }
            }).unblock(sem::release);
        }, "multiprocessing.Semaphore.enter()");
        s.add(() -> {
            var ev = new Event();
            return Case.of(ev::await).unblock(ev::set).returns(true);
        }, "multiprocessing.Event.await()");
        s.add(() -> {
            var ev = new Event();
            return Case.of(() -> ev.await(LONG)).unblock(ev::set).returns(true);
        }, "multiprocessing.Event.await(Duration)");
        s.add(() -> {
            var b = new Barrier(2);
            return Case.of(b::await).unblock(b::await);
        }, "multiprocessing.Barrier.await()");
        s.add(() -> {
            var b = new Barrier(2);
            return Case.of(() -> b.await(LONG)).unblock(b::await);
        }, "multiprocessing.Barrier.await(Duration)");
        s.add(() -> {
            var v = Value.ofInt(7);
            return lockedBy(v.getLock(), v::get).returns(7);
        }, "multiprocessing.Value$OfInt.get()");
        s.add(() -> {
            var v = Value.ofLong(7);
            return lockedBy(v.getLock(), v::get).returns(7L);
        }, "multiprocessing.Value$OfLong.get()");
        s.add(() -> {
            var v = Value.ofDouble(7);
            return lockedBy(v.getLock(), v::get).returns(7.0);
        }, "multiprocessing.Value$OfDouble.get()");
        s.add(() -> {
            var v = Value.ofShort((short) 7);
            return lockedBy(v.getLock(), v::get).returns((short) 7);
        }, "multiprocessing.Value$OfShort.get()");
        s.add(() -> {
            var v = Value.ofChar((byte) 7);
            return lockedBy(v.getLock(), v::get).returns((byte) 7);
        }, "multiprocessing.Value$OfChar.get()");
        s.add(() -> {
            var a = Array.ofInts(new int[] {7});
            return lockedBy(a.getLock(), () -> a.get(0)).returns(7);
        }, "multiprocessing.Array$OfInt.get(int)");
        s.add(() -> {
            var a = Array.ofLongs(new long[] {7});
            return lockedBy(a.getLock(), () -> a.get(0)).returns(7L);
        }, "multiprocessing.Array$OfLong.get(int)");
        s.add(() -> {
            var a = Array.ofDoubles(new double[] {7});
            return lockedBy(a.getLock(), () -> a.get(0)).returns(7.0);
        }, "multiprocessing.Array$OfDouble.get(int)");
        s.notBlocking("reads shared memory without a lock, as Python's ShareableList does: nothing to wait for",
                "multiprocessing.sharedmemory.ShareableList.get(int)");

        // ---------------------------------------------------------------- queues
        s.add(() -> {
            var q = new Queue<Integer>();
            return Case.of(q::get).unblock(() -> q.put(7)).returns(7).then(q::close);
        }, "multiprocessing.Queue.get()");
        s.add(() -> {
            var q = new Queue<Integer>();
            return Case.of(() -> q.get(LONG)).unblock(() -> q.put(7)).returns(7).then(q::close);
        }, "multiprocessing.Queue.get(Duration)");
        s.add(() -> {
            var q = new Queue<Integer>(1);
            q.put(1);
            return Case.ofVoid(() -> q.put(2)).unblock(q::get).then(() -> {
                CoreScenarios.check(2, q.get());
                q.close();
            });
        }, "multiprocessing.Queue.put(Object)");
        s.add(() -> {
            var q = new Queue<Integer>(1);
            q.put(1);
            return Case.ofVoid(() -> q.put(2, LONG)).unblock(q::get).then(() -> {
                CoreScenarios.check(2, q.get());
                q.close();
            });
        }, "multiprocessing.Queue.put(Object, Duration)");
        s.add(() -> {
            var q = new JoinableQueue<Integer>();
            q.put(1);
            return Case.ofVoid(q::join).unblock(() -> {
                q.get();
                q.taskDone();
            }).then(q::close);
        }, "multiprocessing.JoinableQueue.join()");
        s.add(() -> {
            var q = new SimpleQueue<Integer>();
            return Case.of(q::get).unblock(() -> q.put(7)).returns(7).then(q::close);
        }, "multiprocessing.SimpleQueue.get()");
        s.add(() -> {
            var q = new SimpleQueue<Integer>();
            return Case.of(() -> q.get(LONG)).unblock(() -> q.put(7)).returns(7).then(q::close);
        }, "multiprocessing.SimpleQueue.get(Duration)");
        s.add(() -> {
            SimpleQueue<byte[]> q = Queue.<byte[]>builder().capacityBytes(4096).buildSimple();
            for (int i = 0; i < 4; i++) {
                q.put(new byte[QUARTER_RING]);                // the ring is full: a fifth does not fit
            }
            return Case.ofVoid(() -> q.put(new byte[QUARTER_RING])).unblock(() -> {
                for (int i = 0; i < 4; i++) {
                    q.get();
                }
            }).then(() -> {
                CoreScenarios.check(QUARTER_RING, q.get().length);
                q.close();
            });
        }, "multiprocessing.SimpleQueue.put(Object)");
        s.notBlocking("wakes the waiters and returns: it waits for nothing (Python's shutdown)",
                "multiprocessing.Queue.shutdown()", "multiprocessing.Queue.shutdown(boolean)");
        s.notBlocking("gives this object's hold on its segment back and unmaps it: it waits for no other party",
                "multiprocessing.Queue.close()", "multiprocessing.SimpleQueue.close()", "multiprocessing.Connection.close()",
                "multiprocessing.sharedmemory.SharedMemory.close()", "multiprocessing.JournalQueue.close()");
        s.notBlocking("returns at once: put writes into shared memory itself, so there is no feeder thread to wait for",
                "multiprocessing.Queue.joinThread()");
        s.add(() -> journal(q -> q.get()), "multiprocessing.JournalQueue.get()");
        s.add(() -> journal(q -> q.get(LONG)), "multiprocessing.JournalQueue.get(Duration)");
        s.notBlocking("appends to the journal's files: the journal has no bound to wait on",
                "multiprocessing.JournalQueue.put(Object)");

        // ---------------------------------------------------------------- pipes
        s.add(() -> received(true, Connection::recv).returns("ping"), "multiprocessing.Connection.recv()");
        s.add(() -> received(false, c -> new String(c.recvBytes())).returns("ping"), "multiprocessing.Connection.recvBytes()");
        s.add(() -> received(false, c -> new String(c.recvBytes(100))).returns("ping"), "multiprocessing.Connection.recvBytes(int)");
        s.add(() -> received(false, c -> c.recvBytesInto(new byte[100])).returns(4), "multiprocessing.Connection.recvBytesInto(byte[])");
        s.add(() -> received(false, c -> c.recvBytesInto(new byte[100], 10)).returns(4),
                "multiprocessing.Connection.recvBytesInto(byte[], int)");
        s.add(() -> received(false, c -> c.poll(LONG)).returns(true), "multiprocessing.Connection.poll(Duration)");
        s.notBlocking("returns at once whether a message can be read", "multiprocessing.Connection.poll()");
        s.add(() -> fullPipe(c -> {
            c.send(new byte[QUARTER_PIPE]);
            return null;
        }), "multiprocessing.Connection.send(Object)");
        s.add(() -> fullPipe(c -> {
            c.sendBytes(new byte[QUARTER_PIPE]);
            return null;
        }), "multiprocessing.Connection.sendBytes(byte[])");
        s.add(() -> fullPipe(c -> {
            c.sendBytes(new byte[QUARTER_PIPE + 10], 10, QUARTER_PIPE);
            return null;
        }), "multiprocessing.Connection.sendBytes(byte[], int, int)");

        // ---------------------------------------------------------------- processes
        s.add(() -> {
            var gate = new Event();
            var p = new Process(gate::await);
            p.start();
            return Case.of(() -> {
                p.join();
                return p.exitCode();
            }).unblock(gate::set).returns(0).then(p::close);
        }, "multiprocessing.Process.join()");
        s.add(() -> {
            var gate = new Event();
            var p = new Process(gate::await);
            p.start();
            return Case.of(() -> {
                p.join(LONG);
                return p.exitCode();
            }).unblock(gate::set).returns(0).then(p::close);
        }, "multiprocessing.Process.join(Duration)");
        s.notBlocking("the process's body, which start() runs in the child: it waits only for what the target waits for",
                "multiprocessing.Process.run()");
        s.notBlocking("sends SIGTERM and returns (join() waits)", "multiprocessing.Process.terminate()");
        s.notBlocking("marks the object closed, or throws if the process still runs: it never waits for it",
                "multiprocessing.Process.close()");
        s.waitsBriefly("waits only for the child JVM's launch, with the GIL dropped around it (as around join())",
                "multiprocessing.Process.start()");

        // ---------------------------------------------------------------- pool: one, ended by its last case
        s.add(() -> inPool((p, gate) -> p.apply(() -> {
            gate.await();
            return 7;
        })).returns(7), "multiprocessing.Pool.apply(SerializableCallable)");
        s.add(() -> inPool((p, gate) -> p.map(doubled(gate), List.of(1, 2))).returns(List.of(2, 4)),
                "multiprocessing.Pool.map(SerializableFunction, Iterable)");
        s.add(() -> inPool((p, gate) -> p.map(doubled(gate), List.of(1, 2), 1)).returns(List.of(2, 4)),
                "multiprocessing.Pool.map(SerializableFunction, Iterable, int)");
        s.add(() -> inPool((p, gate) -> p.starmap(added(gate), List.of(Map.entry(1, 2)))).returns(List.of(3)),
                "multiprocessing.Pool.starmap(SerializableBiFunction, Iterable)");
        s.add(() -> inPool((p, gate) -> p.starmap(added(gate), List.of(Map.entry(1, 2)), 1)).returns(List.of(3)),
                "multiprocessing.Pool.starmap(SerializableBiFunction, Iterable, int)");
        s.add(() -> inPool((p, gate) -> p.imap(doubled(gate), List.of(1)).next()).returns(2),
                "multiprocessing.Pool.imap(SerializableFunction, Iterable)");
        s.add(() -> inPool((p, gate) -> p.imap(doubled(gate), List.of(1), 1).next()).returns(2),
                "multiprocessing.Pool.imap(SerializableFunction, Iterable, int)");
        s.add(() -> inPool((p, gate) -> p.imapUnordered(doubled(gate), List.of(1)).next()).returns(2),
                "multiprocessing.Pool.imapUnordered(SerializableFunction, Iterable)");
        s.add(() -> inPool((p, gate) -> p.imapUnordered(doubled(gate), List.of(1), 1).next()).returns(2),
                "multiprocessing.Pool.imapUnordered(SerializableFunction, Iterable, int)");
        s.add(() -> {
            var gate = new Event();
            var it = pool().imap(doubled(gate), List.of(1));
            return Case.of(it::next).unblock(gate::set).returns(2);
        }, "multiprocessing.IMapIterator.next()");
        s.add(() -> {
            var gate = new Event();
            var it = pool().imap(doubled(gate), List.of(1));
            return Case.of(() -> it.next(LONG)).unblock(gate::set).returns(2);
        }, "multiprocessing.IMapIterator.next(Duration)");
        s.notBlocking("says whether a result is still to come, from the count of chunks: it does not wait for one",
                "multiprocessing.IMapIterator.hasNext()");
        s.add(() -> {
            var gate = new Event();
            var r = pool().applyAsync(() -> gate.await());
            return Case.of(r::get).unblock(gate::set).returns(true);
        }, "multiprocessing.AsyncResult.get()");
        s.add(() -> {
            var gate = new Event();
            var r = pool().applyAsync(() -> gate.await());
            return Case.of(() -> r.get(LONG)).unblock(gate::set).returns(true);
        }, "multiprocessing.AsyncResult.get(Duration)");
        s.add(() -> {
            var gate = new Event();
            var r = pool().applyAsync(() -> gate.await());
            return Case.of(r::await).unblock(gate::set).returns(true);
        }, "multiprocessing.AsyncResult.await()");
        s.add(() -> {
            var gate = new Event();
            var r = pool().applyAsync(() -> gate.await());
            return Case.of(() -> r.await(LONG)).unblock(gate::set).returns(true);
        }, "multiprocessing.AsyncResult.await(Duration)");
        s.add(() -> {
            var gate = new Event();
            Pool p = pool();
            var last = p.applyAsync(() -> gate.await());
            p.close();
            pool = null;
            return Case.of(() -> {
                p.join();
                return last.get();
            }).unblock(gate::set).returns(true);
        }, "multiprocessing.Pool.join()");
        s.notBlocking("accepts no more work and returns at once; join() waits (Python's close)", "multiprocessing.Pool.close()");
        s.add(() -> {
            // terminate() waits for the workers to end and then for the result handler, here held
            // in a callback until unblocked.
            var p = new Pool(1);
            var inCallback = new dev.pyconc.threading.Event();
            var gate = new dev.pyconc.threading.Event();
            p.applyAsync(() -> 7, r -> {
                inCallback.set();
                gate.await();
            }, null);
            inCallback.await();
            return Case.ofVoid(p::terminate).unblock(gate::set);
        }, "multiprocessing.Pool.terminate()");

        // ---------------------------------------------------------------- process pool: one, ended by its last case
        s.add(() -> inProcessPool((p, gate) -> collect(p.map((Function<Integer, Integer> & java.io.Serializable) x -> {
            gate.await();
            return x * 2;
        }, List.of(1, 2)))).returns(List.of(2, 4)), "multiprocessing.ProcessPoolExecutor.map(Function, Iterable)");
        s.add(() -> inProcessPool((p, gate) -> collect(p.map((Function<Integer, Integer> & java.io.Serializable) x -> {
            gate.await();
            return x * 2;
        }, List.of(1, 2), LONG))).returns(List.of(2, 4)), "multiprocessing.ProcessPoolExecutor.map(Function, Iterable, Duration)");
        s.add(() -> inProcessPool((p, gate) -> collect(p.map(doubled(gate), List.of(1, 2)))).returns(List.of(2, 4)),
                "multiprocessing.ProcessPoolExecutor.map(SerializableFunction, Iterable)");
        s.add(() -> inProcessPool((p, gate) -> collect(p.map(doubled(gate), List.of(1, 2), 2))).returns(List.of(2, 4)),
                "multiprocessing.ProcessPoolExecutor.map(SerializableFunction, Iterable, int)");
        s.add(() -> inProcessPool((p, gate) -> collect(p.map(doubled(gate), List.of(1, 2), LONG, 2))).returns(List.of(2, 4)),
                "multiprocessing.ProcessPoolExecutor.map(SerializableFunction, Iterable, Duration, int)");
        s.add(() -> {
            var gate = new Event();
            ProcessPoolExecutor p = processPool();
            var last = p.submit(() -> gate.await());
            processPool = null;
            return Case.of(() -> {
                p.shutdown(true, false);
                return last.done();
            }).unblock(gate::set).returns(true);
        }, "multiprocessing.ProcessPoolExecutor.shutdown(boolean, boolean)");
    }

    // ---------------------------------------------------------------- helpers

    private static Case heldCondition(CoreScenarios.On<Condition> acquire) {
        var lock = new Lock();
        var cond = new Condition(lock);
        lock.acquire();
        return Case.of(() -> acquire.call(cond)).unblock(lock::release).returns(true).then(() -> {
            if (lock.locked()) {
                lock.release();
            }
        });
    }

    /** Set by the unblocking action before it signals: what waitFor's predicate waits for. */
    private static final java.util.concurrent.atomic.AtomicBoolean SIGNALLED = new java.util.concurrent.atomic.AtomicBoolean();

    /** The call waits on a condition (holding its lock); unblocking sets SIGNALLED and signals. */
    private static Case signalled(CoreScenarios.On<Condition> wait) {
        var cond = new Condition();
        SIGNALLED.set(false);
        return Case.of(() -> {
            try (var _ = cond.enter()) {
                return wait.call(cond);
            }
        }).unblock(() -> {
            try (var _ = cond.enter()) {
                SIGNALLED.set(true);
                cond.signal();
            }
        }).returns(true);
    }

    /** A call that needs {@code lock}, held by another thread until unblocked. */
    private static Case lockedBy(dev.pyconc.threading.Lockable lock, java.util.concurrent.Callable<?> call) {
        var owner = new dev.pyconc.threading.Event();
        var release = new dev.pyconc.threading.Event();
        var holder = Thread.ofPlatform().daemon(true).start(() -> {
            lock.acquire();
            owner.set();
            release.await();
            lock.release();
        });
        owner.await();
        return Case.of(call).unblock(release::set).then(() -> CoreScenarios.join(holder));
    }

    private static Case journal(CoreScenarios.On<JournalQueue<String>> get) {
        Path dir;
        try {
            dir = Files.createTempDirectory("pyconc-gil-journal");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        JournalQueue<String> q = JournalQueue.open(dir);
        return Case.of(() -> get.call(q)).unblock(() -> q.put("item")).returns("item").then(() -> {
            q.close();
            delete(dir);
        });
    }

    /** A pipe with nothing to read; unblocking sends "ping", as an object or as bytes. */
    private static Case received(boolean asObject, CoreScenarios.On<Connection> receive) {
        var pair = Multiprocessing.pipe();
        Connection reader = pair.conn1(), writer = pair.conn2();
        return Case.of(() -> receive.call(reader)).unblock(() -> {
            if (asObject) {
                writer.send("ping");
            } else {
                writer.sendBytes("ping".getBytes());
            }
        }).then(() -> {
            reader.close();
            writer.close();
        });
    }

    /** A pipe holding four messages, all it takes; the call sends a fifth, unblocked by reading the four. */
    private static Case fullPipe(CoreScenarios.On<Connection> send) {
        var pair = Multiprocessing.pipe();
        Connection reader = pair.conn1(), writer = pair.conn2();
        for (int i = 0; i < 4; i++) {
            writer.sendBytes(new byte[QUARTER_PIPE]);
        }
        return Case.of(() -> send.call(writer)).unblock(() -> {
            for (int i = 0; i < 4; i++) {
                reader.recvBytes();
            }
        }).then(() -> {
            CoreScenarios.check(true, reader.poll(LONG));      // the fifth arrived
            reader.close();
            writer.close();
        });
    }

    @FunctionalInterface
    interface PoolCall<P> {
        Object call(P pool, Event gate) throws Exception;
    }

    private static Pool pool() {
        if (pool == null) {
            pool = new Pool(1);
        }
        return pool;
    }

    private static ProcessPoolExecutor processPool() {
        if (processPool == null) {
            processPool = new ProcessPoolExecutor(1);
        }
        return processPool;
    }

    private static Case inPool(PoolCall<Pool> call) {
        var gate = new Event();
        Pool p = pool();
        return Case.of(() -> call.call(p, gate)).unblock(gate::set);
    }

    private static Case inProcessPool(PoolCall<ProcessPoolExecutor> call) {
        var gate = new Event();
        ProcessPoolExecutor p = processPool();
        return Case.of(() -> call.call(p, gate)).unblock(gate::set);
    }

    /** x -> 2x in a worker, once {@code gate} is set. */
    private static SerializableFunction<Integer, Integer> doubled(Event gate) {
        return x -> {
            gate.await();
            return x * 2;
        };
    }

    /** (a, b) -> a + b in a worker, once {@code gate} is set. */
    private static SerializableBiFunction<Integer, Integer, Integer> added(Event gate) {
        return (a, b) -> {
            gate.await();
            return a + b;
        };
    }

    private static <R> List<R> collect(Iterable<R> results) {
        List<R> out = new ArrayList<>();
        results.forEach(out::add);
        return out;
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
