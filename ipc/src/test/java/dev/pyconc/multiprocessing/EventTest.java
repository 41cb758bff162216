package dev.pyconc.multiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeaks.class)
class EventTest {

    /** set, clear, isSet and timed waits behave as Python's Event. */
    @Test
    void basics() {
        var e = new Event();
        assertFalse(e.isSet());
        assertFalse(e.await(Duration.ofMillis(30)));
        assertFalse(e.await(Duration.ZERO));
        e.set();
        e.set();
        assertTrue(e.isSet());
        assertTrue(e.await());
        assertTrue(e.await(Duration.ZERO));
        e.clear();
        e.clear();
        assertFalse(e.isSet());
        assertThrows(IllegalArgumentException.class, () -> e.await(Duration.ofSeconds(-1)));
        assertEquals("Event[unset]", e.toString());
    }

    /** A waiter released by set() returns true even if clear() came right after, as in Python. */
    @Test
    void setThenClearStillReleasesTheWaiter() throws Exception {
        var e = new Event();
        var waiter = CompletableFuture.supplyAsync(() -> e.await(Duration.ofSeconds(30)), r -> Thread.ofPlatform().start(r));
        Thread.sleep(30);
        e.set();
        e.clear();
        assertTrue(waiter.get(30, TimeUnit.SECONDS));
    }

    /** One set() in this process releases the waiters of three other processes. */
    @Test
    void setReleasesWaitersInOtherProcesses() {
        var e = new Event();
        List<ChildJvm> children = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                children.add(ChildJvm.start(EventTest.class, "waitAndReport", e));
            }
            for (ChildJvm c : children) {
                c.expect("waiting");
            }
            e.set();
            for (ChildJvm c : children) {
                c.expect("woken true");
                assertEquals(0, c.waitFor());
            }
        } finally {
            children.forEach(ChildJvm::close);
        }
    }

    /** Waiters killed with kill -9 while they wait affect nobody: the rest (here and elsewhere) wake on set(). */
    @Test
    void killedWaitersAffectNobody() throws Exception {
        var e = new Event();
        for (int round = 0; round < 4; round++) {
            List<ChildJvm> children = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    children.add(ChildJvm.start(EventTest.class, "waitAndReport", e));
                }
                for (ChildJvm c : children) {
                    c.expect("waiting");
                }
                var here = CompletableFuture.supplyAsync(e::await, r -> Thread.ofPlatform().start(r));
                Thread.sleep(ThreadLocalRandom.current().nextInt(20));
                children.get(0).kill9();
                children.get(2).kill9();
                e.set();
                assertTrue(here.get(30, TimeUnit.SECONDS));
                children.get(1).expect("woken true");
                assertEquals(0, children.get(1).waitFor());
                e.clear();
            } finally {
                children.forEach(ChildJvm::close);
            }
        }
    }

    /** kill -9 of a process in the middle of set()/clear() loops leaves the event usable: set, clear and waits work. */
    @Test
    void killedSetterLeavesAConsistentEvent() throws Exception {
        var e = new Event();
        for (int round = 0; round < 8; round++) {
            try (var child = ChildJvm.start(EventTest.class, "toggle", e)) {
                child.expect("running");
                Thread.sleep(ThreadLocalRandom.current().nextInt(20));
                child.kill9();
            }
            e.clear();
            assertFalse(e.isSet());
            assertFalse(e.await(Duration.ofMillis(5)));
            var waiter = CompletableFuture.supplyAsync(e::await, r -> Thread.ofPlatform().start(r));
            e.set();
            assertTrue(waiter.get(30, TimeUnit.SECONDS));
            assertTrue(e.isSet());
        }
    }

    /** Child: says "waiting", waits for args[0], reports. */
    public static void waitAndReport(Object[] args) {
        var e = (Event) args[0];
        ChildJvm.say("waiting");
        ChildJvm.say("woken " + e.await());
    }

    /** Child: sets and clears args[0] for ever. */
    public static void toggle(Object[] args) {
        var e = (Event) args[0];
        e.set();
        e.clear();
        ChildJvm.say("running");
        for (;;) {
            e.set();
            e.clear();
        }
    }
}
