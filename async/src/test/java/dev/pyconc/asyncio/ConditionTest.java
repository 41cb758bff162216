package dev.pyconc.asyncio;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(60)
class ConditionTest extends LoopTesting {

    /** A consumer waits for items with waitFor; each signal wakes one waiter. */
    @Test
    void producerConsumer() {
        List<Integer> got = new ArrayList<>();
        Asyncio.run(() -> {
            Condition cond = new Condition();
            ArrayDeque<Integer> items = new ArrayDeque<>();
            Task<Void> consumer = Asyncio.createTask(() -> {
                for (int i = 0; i < 5; i++) {
                    try (var _ = cond.enter()) {
                        assertTrue(cond.waitFor(() -> !items.isEmpty()));
                        got.add(items.poll());
                    }
                }
            });
            for (int i = 0; i < 5; i++) {
                Asyncio.sleep(Duration.ZERO);
                try (var _ = cond.enter()) {
                    items.add(i);
                    cond.signal();
                }
            }
            consumer.await();
            return null;
        });
        assertEquals(List.of(0, 1, 2, 3, 4), got);
    }

    /** signal(n) wakes n waiters in FIFO order; signalAll wakes the rest. */
    @Test
    void signalCounts() {
        List<Integer> order = new ArrayList<>();
        Asyncio.run(() -> {
            Condition cond = new Condition();
            List<Task<Void>> ts = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int k = i;
                ts.add(Asyncio.createTask(() -> {
                    try (var _ = cond.enter()) {
                        cond.await();
                        order.add(k);
                    }
                }));
            }
            Asyncio.sleep(Duration.ZERO);
            try (var _ = cond.enter()) {
                cond.signal(2);
            }
            Asyncio.sleep(Duration.ofMillis(5));
            assertEquals(List.of(0, 1), order);
            try (var _ = cond.enter()) {
                cond.signalAll();
            }
            Asyncio.gather(ts).await();
            return null;
        });
        assertEquals(List.of(0, 1, 2, 3), order);
    }

    /** await and signal without the lock are refused. */
    @Test
    void withoutLock() {
        Asyncio.run(() -> {
            Condition cond = new Condition();
            assertEquals("cannot wait on un-acquired lock", assertThrows(IllegalStateException.class, cond::await).getMessage());
            assertThrows(IllegalStateException.class, cond::signal);
            return null;
        });
    }

    /** A cancelled waiter re-acquires the lock before the CancelledError leaves await. */
    @Test
    void cancelledWaiterHoldsLockAgain() {
        List<String> log = new ArrayList<>();
        Asyncio.run(() -> {
            Lock lock = new Lock();
            Condition cond = new Condition(lock);
            Task<Void> t = Asyncio.createTask(() -> {
                try (var _ = cond.enter()) {
                    try {
                        cond.await();
                    } catch (CancelledError e) {
                        log.add("locked in handler: " + lock.locked());
                        throw e;
                    }
                }
            });
            Asyncio.sleep(Duration.ZERO);
            t.cancel();
            assertThrows(CancelledError.class, t::await);
            assertFalse(lock.locked());
            return null;
        });
        assertEquals(List.of("locked in handler: true"), log);
    }

    /** A waiter signalled and then cancelled passes the signal to another waiter. */
    @Test
    void signalNotLostToCancellation() {
        List<String> log = new ArrayList<>();
        Asyncio.run(() -> {
            Condition cond = new Condition();
            Task<Void> a = Asyncio.createTask(() -> {
                try (var _ = cond.enter()) {
                    cond.await();
                    log.add("a");
                }
            });
            Task<Void> b = Asyncio.createTask(() -> {
                try (var _ = cond.enter()) {
                    cond.await();
                    log.add("b");
                }
            });
            Asyncio.sleep(Duration.ZERO);
            try (var _ = cond.enter()) {
                cond.signal();        // meant for a
            }
            a.cancel();               // a is cancelled before it runs
            Asyncio.gather(true, List.of(a, b)).await();
            return null;
        });
        assertEquals(List.of("b"), log);
    }
}
