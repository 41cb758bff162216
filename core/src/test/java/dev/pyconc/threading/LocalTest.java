package dev.pyconc.threading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.pyconc.testing.Threads;

class LocalTest {

    /** Each thread sees only the value it set itself. */
    @Test
    void perThread() {
        Local<String> local = new Local<>();
        local.set("main");
        String other = Threads.start("other", () -> {
            String before = local.get();
            local.set("other");
            return before + "/" + local.get();
        }).get();
        assertEquals("null/other", other);
        assertEquals("main", local.get());
        local.remove();
        assertNull(local.get());
    }

    /** withInitial runs the initialiser once per thread, again after remove. */
    @Test
    void withInitial() {
        AtomicInteger created = new AtomicInteger();
        Local<Integer> local = Local.withInitial(created::incrementAndGet);
        int mine = local.get();
        assertEquals(mine, local.get());
        int theirs = Threads.start("other", local::get).get();
        assertEquals(2, created.get());
        assertEquals(3 - mine, theirs);
        local.remove();
        assertEquals(3, local.get());
        assertThrows(IllegalArgumentException.class, () -> Local.withInitial(null));
    }
}
