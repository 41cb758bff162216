package dev.pyconc.examples.multiprocessing;

import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import dev.pyconc.multiprocessing.Process;
import dev.pyconc.multiprocessing.sharedmemory.SharedMemory;

/**
 * The parent writes squares into a {@link SharedMemory} segment; a child process attaches to it
 * by name, sums what it reads and negates every slot; the parent then sees the child's writes.
 */
public final class SharedMemoryProcessExample {
    private SharedMemoryProcessExample() {}

    public static void main(String[] args) {
        try (var shm = SharedMemory.create(8 * Long.BYTES)) {
            for (int i = 0; i < 8; i++) {
                shm.buf().setAtIndex(ValueLayout.JAVA_LONG, i, (long) i * i);
            }
            String name = shm.name();
            System.out.println("parent wrote 0 1 4 9 16 25 36 49 into " + name);
            var child = new Process(() -> {
                try (var same = SharedMemory.attach(name)) {
                    long sum = 0;
                    for (int i = 0; i < 8; i++) {
                        long v = same.buf().getAtIndex(ValueLayout.JAVA_LONG, i);
                        sum += v;
                        same.buf().setAtIndex(ValueLayout.JAVA_LONG, i, -v);
                    }
                    System.out.println("  child read a sum of " + sum + " and negated every slot");
                }
            });
            child.start();
            child.join();
            List<Long> seen = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                seen.add(shm.buf().getAtIndex(ValueLayout.JAVA_LONG, i));
            }
            System.out.println("parent now reads " + seen + " (child exit code " + child.exitCode() + ")");
            shm.unlink();
        }
    }
}
