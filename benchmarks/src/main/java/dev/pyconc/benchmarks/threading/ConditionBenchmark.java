package dev.pyconc.benchmarks.threading;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;

import dev.pyconc.threading.Condition;
import dev.pyconc.threading.Held;
import dev.pyconc.threading.Lock;
import dev.pyconc.threading.Lockable;

/**
 * Condition ping-pong between two threads: one operation is a round trip (the benchmark thread
 * passes the turn to an echo thread and waits for it back), side by side with a
 * {@link ReentrantLock} and its {@link java.util.concurrent.locks.Condition}. {@code pyconcCondition}
 * uses a {@link Lock}, whose own queue hands the lock to the signalled thread;
 * {@code pyconcConditionAnyLock} the same Lock seen only as a {@link Lockable}, which takes the
 * lock-agnostic path (the waiter is woken at the signal and takes the lock back itself).
 * Python: {@code benchmarks/python/condition_pingpong.py} (docs/performance.md has both sides' last figures).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ConditionBenchmark {

    /** pyconc: a Condition over a Lock; turn 0 = the benchmark thread's, 1 = the echo thread's. */
    @State(Scope.Benchmark)
    public static class Pyconc {
        final Condition cv = newCondition();
        int turn;                 // guarded by lock
        boolean stop;             // guarded by lock
        java.lang.Thread echo;

        @Setup(Level.Trial)
        public void start() {
            echo = java.lang.Thread.ofPlatform().daemon(true).name("echo").start(() -> {
                try (var _ = cv.enter()) {
                    while (true) {
                        while (turn != 1 && !stop) {
                            cv.await();
                        }
                        if (stop) {
                            return;
                        }
                        turn = 0;
                        cv.signal();
                    }
                }
            });
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            try (var _ = cv.enter()) {
                stop = true;
                cv.signalAll();
            }
            echo.join();
        }

        Condition newCondition() {
            return new Condition(new Lock());
        }
    }

    /** As {@link Pyconc}, with the Lock behind a Lockable of another kind. */
    @State(Scope.Benchmark)
    public static class PyconcAnyLock extends Pyconc {
        @Override
        Condition newCondition() {
            Lock lock = new Lock();
            return new Condition(new Lockable() {
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
            });
        }
    }

    /** The JDK: a ReentrantLock and its Condition, the same protocol. */
    @State(Scope.Benchmark)
    public static class Jdk {
        final ReentrantLock lock = new ReentrantLock();
        final java.util.concurrent.locks.Condition cv = lock.newCondition();
        int turn;
        boolean stop;
        java.lang.Thread echo;

        @Setup(Level.Trial)
        public void start() {
            echo = java.lang.Thread.ofPlatform().daemon(true).name("echo").start(() -> {
                lock.lock();
                try {
                    while (true) {
                        while (turn != 1 && !stop) {
                            cv.awaitUninterruptibly();
                        }
                        if (stop) {
                            return;
                        }
                        turn = 0;
                        cv.signal();
                    }
                } finally {
                    lock.unlock();
                }
            });
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            lock.lock();
            try {
                stop = true;
                cv.signalAll();
            } finally {
                lock.unlock();
            }
            echo.join();
        }
    }

    @Benchmark
    public void pyconcCondition(Pyconc s) {
        try (var _ = s.cv.enter()) {
            s.turn = 1;
            s.cv.signal();
            while (s.turn != 0) {
                s.cv.await();
            }
        }
    }

    @Benchmark
    public void pyconcConditionAnyLock(PyconcAnyLock s) {
        pyconcCondition(s);
    }

    @Benchmark
    public void jdkCondition(Jdk s) {
        s.lock.lock();
        try {
            s.turn = 1;
            s.cv.signal();
            while (s.turn != 0) {
                s.cv.awaitUninterruptibly();
            }
        } finally {
            s.lock.unlock();
        }
    }
}
