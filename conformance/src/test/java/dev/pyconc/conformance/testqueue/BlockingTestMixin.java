package dev.pyconc.conformance.testqueue;

import static dev.pyconc.testing.Threads.until;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import dev.pyconc.testing.Threads;

/**
 * test_queue's {@code BlockingTestMixin}: runs a call that must block in the test's thread while
 * a trigger thread unblocks it (CPython's {@code _TriggerThread}).
 *
 * <p>Where CPython's trigger sleeps 0.1 s to let the call block, the trigger here waits until the
 * test's thread is parked inside a method of {@link #blockedIn()} (or the call returned, which
 * fails the test: "appeared not to block").
 */
public abstract class BlockingTestMixin {

    /** The class whose methods the blocking call parks in: the queue class under test. */
    protected abstract Class<?> blockedIn();

    /**
     * CPython's {@code do_blocking_test}: runs {@code blockFunc} here and {@code triggerFunc} in a
     * trigger thread once {@code blockFunc} blocks, and returns what {@code blockFunc} returned.
     * {@code blockFunc} must not return before the trigger ran.
     */
    protected <T> T doBlockingTest(Supplier<T> blockFunc, Runnable triggerFunc) {
        java.lang.Thread blocker = java.lang.Thread.currentThread();
        AtomicBoolean returned = new AtomicBoolean();
        AtomicBoolean startedEvent = new AtomicBoolean();
        Threads.Async<Void> thread = Threads.run("trigger", () -> {
            until("the blocking call parked in " + blockedIn().getSimpleName() + " or returned",
                    () -> returned.get() || Threads.parkedIn(blocker, blockedIn()));
            startedEvent.set(true);
            triggerFunc.run();
        });
        try {
            T result = blockFunc.get();
            returned.set(true);
            if (!startedEvent.get()) {
                fail("blocking function appeared not to block");
            }
            thread.get();
            return result;
        } finally {
            returned.set(true);
            thread.join();
        }
    }
}
