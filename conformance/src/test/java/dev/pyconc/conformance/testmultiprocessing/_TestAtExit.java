package dev.pyconc.conformance.testmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pyconc.multiprocessing.Process;

/**
 * _test_multiprocessing.py's {@code _TestAtExit} (processes only, as in CPython): a child JVM runs
 * its exit handlers, Java's shutdown hooks (CPython's {@code atexit}), when its target returns.
 */
class _TestAtExit {
    @BeforeAll
    static void segments() {
        Mp1Support.init();
    }

    private static void writeFileAtExit(String outputPath) {
        Runtime.getRuntime().addShutdownHook(new java.lang.Thread(() -> {
            try {
                Files.writeString(Path.of(outputPath), "deadbeef");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }));
    }

    /** An exit handler the child registered has run once the child has ended (gh-83856). */
    @Test
    @DisplayName("test_atexit")
    void testAtexit(@TempDir Path tempDir) throws IOException {
        String outputPath = tempDir.resolve("output.txt").toString();
        Process p = new Process(() -> writeFileAtExit(outputPath));
        p.start();
        p.join();
        assertEquals("deadbeef", Files.readString(Path.of(outputPath)));
    }
}
