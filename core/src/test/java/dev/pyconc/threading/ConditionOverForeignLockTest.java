package dev.pyconc.threading;

import static dev.pyconc.testing.threading.ConditionContract.untilWaitingOn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.junit.jupiter.api.Test;

import dev.pyconc.builtins.InterruptedError;
import dev.pyconc.testing.Threads;
import dev.pyconc.testing.threading.ConditionContract;

/**
 * Condition over locks written outside pyconc against {@link Lockable} alone: one that relies on
 * the interface's default methods (no owner, no recursion), and a reentrant one that overrides
 * them, as Python's Condition serves any object with {@code acquire} and {@code release}.
 */
class ConditionOverForeignLockTest extends ConditionContract {

    @Override
    protected Lockable newLock() {
        return new SemaphoreLock();
    }

    @Override
    protected Lockable newRLock() {
        return new ReentrantLockable();
    }

    /**
     * A waiter interrupted while another thread holds the lock: the default reacquire keeps
     * waiting for the lock (the lock's own acquire throws at once with the flag set), and await
     * then throws InterruptedError holding it.
     */
    @Test
    void defaultReacquireWaitsThroughAnInterrupt() {
        SemaphoreLock lock = new SemaphoreLock();
        Condition cond = new Condition(lock);
        var waiter = Threads.start("waiter", () -> {
            lock.acquire();
            try {
                cond.await();
                return "returned";
            } catch (InterruptedError e) {
                return "interrupted, flag " + java.lang.Thread.currentThread().isInterrupted()
                        + ", held " + lock.locked();
            } finally {
                lock.release();
            }
        });
        untilWaitingOn(waiter.thread(), cond);
        lock.acquire();                        // the waiter cannot take the lock back yet
        waiter.thread().interrupt();
        Threads.until("waiter blocked in the lock's acquire", () -> lock.permits.hasQueuedThreads());
        assertTrue(waiter.thread().isAlive());
        lock.release();
        assertEquals("interrupted, flag true, held true", waiter.get());
    }

    /** A lock without owner over a semaphore of one permit: only the six methods every lock has. */
    static final class SemaphoreLock implements Lockable {
        final Semaphore permits = new Semaphore(1);

        @Override
        public boolean acquire() {
            try {
                permits.acquire();
                return true;
            } catch (InterruptedException e) {
                java.lang.Thread.currentThread().interrupt();
                throw new InterruptedError(e);
            }
        }

        @Override
        public boolean acquire(Duration timeout) {
            try {
                return permits.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                java.lang.Thread.currentThread().interrupt();
                throw new InterruptedError(e);
            }
        }

        @Override
        public boolean tryAcquire() {
            return permits.tryAcquire();
        }

        @Override
        public void release() {
            if (permits.availablePermits() != 0) {
                throw new IllegalStateException("release unlocked lock");
            }
            permits.release();
        }

        @Override
        public Held enter() {
            acquire();
            return this::release;
        }

        @Override
        public boolean locked() {
            return permits.availablePermits() == 0;
        }
    }

    /** A reentrant lock over the JDK's ReentrantLock, with the three methods a Condition needs of an owner. */
    static final class ReentrantLockable implements Lockable {
        private final ReentrantLock lock = new ReentrantLock();

        @Override
        public boolean acquire() {
            try {
                lock.lockInterruptibly();
                return true;
            } catch (InterruptedException e) {
                java.lang.Thread.currentThread().interrupt();
                throw new InterruptedError(e);
            }
        }

        @Override
        public boolean acquire(Duration timeout) {
            try {
                return lock.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                java.lang.Thread.currentThread().interrupt();
                throw new InterruptedError(e);
            }
        }

        @Override
        public boolean tryAcquire() {
            return lock.tryLock();
        }

        @Override
        public void release() {
            if (!lock.isHeldByCurrentThread()) {
                throw new IllegalStateException("cannot release un-acquired lock");
            }
            lock.unlock();
        }

        @Override
        public Held enter() {
            acquire();
            return this::release;
        }

        @Override
        public boolean locked() {
            return lock.isLocked();
        }

        @Override
        public boolean isHeldByCurrentThread() {
            return lock.isHeldByCurrentThread();
        }

        @Override
        public long releaseFully() {
            int levels = lock.getHoldCount();
            if (levels == 0) {
                throw new IllegalStateException("cannot release un-acquired lock");
            }
            for (int i = 0; i < levels; i++) {
                lock.unlock();
            }
            return levels;
        }

        @Override
        public void reacquire(long savedState) {
            for (long i = 0; i < savedState; i++) {
                lock.lock();
            }
        }
    }
}
