package dev.pyconc.conformance.testmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pyconc.multiprocessing.Connection;
import dev.pyconc.multiprocessing.Multiprocessing;
import dev.pyconc.multiprocessing.Process;

/**
 * _test_multiprocessing.py's {@code TestCloseFds}: a child started by spawn does not inherit the
 * parent's open files. CPython opens a socket at a high descriptor and the child fails to use that
 * descriptor (EBADF); a child JVM opens many files of its own at any number, so here the parent
 * holds a file open and the child looks, through {@code /proc/self/fd}, for a descriptor on it.
 */
class TestCloseFds {
    @BeforeAll
    static void segments() {
        Mp1Support.init();
    }

    private static List<String> openFiles() {
        List<String> targets = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    targets.add(Files.readSymbolicLink(fd).toString());
                } catch (IOException closedMeanwhile) {
                    // the directory's own descriptor, closed by now
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return targets;
    }

    /** The parent's open file is not open in the child. */
    @Test
    @DisplayName("test_closefd")
    void testClosefd(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("held-open");
        Connection.Pair pipe = Multiprocessing.pipe();
        Connection reader = pipe.conn1(), writer = pipe.conn2();
        try (FileChannel held = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            String target = file.toRealPath().toString();
            assertEquals(true, openFiles().contains(target), "the parent holds the file open");
            Process p = new Process(() -> writer.send(openFiles().contains(target)));
            p.start();
            Object inherited = reader.recv();
            Mp1Support.joinProcess(p);
            assertEquals(false, inherited);
        } finally {
            writer.close();
            reader.close();
        }
    }
}
