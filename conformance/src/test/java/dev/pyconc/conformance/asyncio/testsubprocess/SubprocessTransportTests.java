package dev.pyconc.conformance.asyncio.testsubprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.Process;
import dev.pyconc.builtins.ProcessLookupError;
import dev.pyconc.conformance.asyncio.IsolatedAsyncioTestCase;

/**
 * test_asyncio/test_subprocess.py's {@code SubprocessTransportTests}. CPython drives a subprocess
 * transport over a mock Popen; pyconc has no transport objects, and its {@link Process} has the
 * transport's returncode and signal methods, so the Java form runs a child that exits with 6.
 */
public class SubprocessTransportTests extends IsolatedAsyncioTestCase {

    /** After the exit, the return code is the exit status and every signal method raises ProcessLookupError. */
    @Test
    @DisplayName("test_proc_exited")
    void testProcExited() {
        run(() -> {
            Process proc = Asyncio.createSubprocessShell("exit 6");
            assertEquals(6, proc.await());
            assertEquals(6, proc.returncode());
            // methods must raise ProcessLookupError once the process exited
            assertThrows(ProcessLookupError.class, () -> proc.sendSignal(Process.SIGTERM));
            assertThrows(ProcessLookupError.class, proc::terminate);
            assertThrows(ProcessLookupError.class, proc::kill);
        });
    }
}
