package dev.pyconc.multiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.pyconc.threading.BrokenBarrierError;

@ExtendWith(NoLeaks.class)
class BarrierTest {

    private static CompletableFuture<Integer> party(Barrier b) {
        return CompletableFuture.supplyAsync(b::await, r -> Thread.ofPlatform().start(r));
    }

    /** Three threads pass together with distinct arrival indices; the action runs once per round. */
    @Test
    void threadsPassWithDistinctIndices() throws Exception {
        var runs = Value.ofInt(0, false);
        var b = new Barrier(3, () -> runs.getAndAdd(1), null);
        assertEquals(3, b.parties());
        for (int round = 1; round <= 3; round++) {
            var p1 = party(b);
            var p2 = party(b);
            ChildJvm.eventually("two wait", () -> b.nWaiting() == 2);
            int mine = b.await();
            Set<Integer> indices = new TreeSet<>(List.of(mine, p1.get(30, TimeUnit.SECONDS), p2.get(30, TimeUnit.SECONDS)));
            assertEquals(Set.of(0, 1, 2), indices);
            assertEquals(round, runs.get());
        }
    }

    /** A timed-out wait breaks the barrier for everybody until reset(). */
    @Test
    void timeoutBreaksUntilReset() throws Exception {
        var b = new Barrier(2);
        assertThrows(BrokenBarrierError.class, () -> b.await(Duration.ofMillis(30)));
        assertTrue(b.broken());
        assertEquals("barrier is broken", assertThrows(BrokenBarrierError.class, b::await).getMessage());
        b.reset();
        assertFalse(b.broken());
        var p = party(b);
        b.await();
        assertTrue(p.get(30, TimeUnit.SECONDS) >= 0);
    }

    /** abort() releases a waiting party with BrokenBarrierError. */
    @Test
    void abortBreaksWaiters() throws Exception {
        var b = new Barrier(2);
        var p = party(b);
        ChildJvm.eventually("one waits", () -> b.nWaiting() == 1);
        b.abort();
        var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> p.get(30, TimeUnit.SECONDS));
        assertEquals(BrokenBarrierError.class, e.getCause().getClass());
    }

    /** Three processes and this one pass the barrier five times; the serializable action ran five times. */
    @Test
    void processesPassTogether() {
        var runs = Value.ofInt(0, false);
        var b = new Barrier(4, (Runnable & Serializable) () -> runs.getAndAdd(1), Duration.ofSeconds(30));
        List<ChildJvm> children = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                children.add(ChildJvm.start(BarrierTest.class, "pass", b, 5));
            }
            for (int i = 0; i < 5; i++) {
                b.await();
            }
            for (ChildJvm c : children) {
                assertEquals(0, c.waitFor());
            }
        } finally {
            children.forEach(ChildJvm::close);
        }
        assertEquals(5, runs.get());
    }

    /** A barrier whose action is not Serializable cannot be sent, with a message saying what to do. */
    @Test
    void nonSerializableActionIsRefused() {
        var b = new Barrier(2, () -> { }, null);
        var e = assertThrows(NotSerializableException.class,
                () -> new ObjectOutputStream(OutputStream.nullOutputStream()).writeObject(b));
        assertTrue(e.getMessage().contains("(Runnable & Serializable)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Barrier(0));
        assertThrows(IllegalArgumentException.class, () -> new Barrier(500));
    }

    /** Child: passes barrier args[0] args[1] times. */
    public static void pass(Object[] args) {
        var b = (Barrier) args[0];
        for (int i = 0; i < (int) args[1]; i++) {
            b.await();
        }
    }
}
