package dev.pyconc.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The suite's segment directory: the ported multiprocessing and process-pool tests keep their
 * shared-memory segments in a directory of their own ({@code pyconc.shm.dir}, set by the build),
 * which {@link #ensure()} makes once per JVM, readable by its owner only, and removes at exit once
 * empty (the resource tracker removes what is left after this JVM has ended). CPython's suites
 * do the equivalent in their {@code setUpModule}.
 */
public final class SegmentDirectory {
    private SegmentDirectory() {}

    /** Makes the directory if it does not exist yet; safe to call from every test class. */
    public static void ensure() {
        Made.DIR.getClass();   // the holder's initialization makes it, once
    }

    private static final class Made {
        static final Path DIR = make(Path.of(System.getProperty("pyconc.shm.dir", "/dev/shm")));

        private static Path make(Path dir) {
            try {
                if (!Files.isDirectory(dir)) {
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                    Runtime.getRuntime().addShutdownHook(new java.lang.Thread(() -> {
                        try {
                            Files.deleteIfExists(dir);
                        } catch (IOException notEmpty) {
                            // the resource tracker removes what is left once this JVM has ended
                        }
                    }));
                }
                return dir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
