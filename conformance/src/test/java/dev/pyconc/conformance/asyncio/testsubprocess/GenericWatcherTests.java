package dev.pyconc.conformance.asyncio.testsubprocess;

import static dev.pyconc.asyncio.Subprocess.PIPE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.Process;
import dev.pyconc.asyncio.Subprocess;
import dev.pyconc.conformance.asyncio.IsolatedAsyncioTestCase;

/**
 * test_asyncio/test_subprocess.py's {@code GenericWatcherTests}: children of a loop that runs in
 * another thread than the main one.
 */
public class GenericWatcherTests extends IsolatedAsyncioTestCase {

    /**
     * A loop started by {@code asyncio.run} in a worker thread ({@code to_thread}) runs a child
     * and sees it exit. CPython installs the pidfd watcher first; pyconc has one way of watching.
     */
    @Test
    @DisplayName("test_create_subprocess_with_pidfd")
    void testCreateSubprocessWithPidfd() {
        record Result(int returncode, String stdout) {}
        Result r = Asyncio.run(() -> Asyncio.toThread(() -> Asyncio.run(() -> {
            Process proc = Subprocess.exec(SubprocessMixin.PROGRAM_CAT).stdin(PIPE).stdout(PIPE).start();
            Process.Output out = proc.communicate("some data".getBytes(StandardCharsets.US_ASCII));
            return new Result(proc.returncode(), new String(out.stdout(), StandardCharsets.US_ASCII));
        })));
        assertEquals(0, r.returncode());
        assertEquals("some data", r.stdout());
    }
}
