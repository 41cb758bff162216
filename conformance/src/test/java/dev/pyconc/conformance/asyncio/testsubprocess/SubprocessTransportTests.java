package dev.pyconc.conformance.asyncio.testsubprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.Process;
import dev.pyconc.asyncio.Subprocess;
import dev.pyconc.asyncio.SubprocessTransport;
import dev.pyconc.asyncio.WriteTransport;
import dev.pyconc.builtins.ProcessLookupError;
import dev.pyconc.conformance.asyncio.IsolatedAsyncioTestCase;

/**
 * test_asyncio/test_subprocess.py's {@code SubprocessTransportTests}. CPython drives a subprocess
 * transport over a mock Popen; the Java form runs a child that exits with 6, through a
 * {@link Process} (test_proc_exited) or a {@link SubprocessTransport} (test_subprocess_repr).
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

    /** The transport's repr names the pid and whether the child runs or its return code. */
    @Test
    @DisplayName("test_subprocess_repr")
    void testSubprocessRepr() {
        run(() -> {
            var tp = Subprocess.exec("sh", "-c", "read x; exit 6").stdin(Subprocess.PIPE).start(SubprocessMixin.EventsProtocol::new);
            SubprocessTransport transport = tp.transport();
            long pid = transport.getPid();
            assertEquals("<ProcessTransport pid=" + pid + " running stdin=<WritePipeTransport stdin of " + pid + " open>>",
                    transport.toString());
            ((WriteTransport) transport.getPipeTransport(0)).close();
            tp.protocol().lost.await();
            assertEquals("<ProcessTransport pid=" + pid + " returncode=6 stdin=<WritePipeTransport stdin of " + pid + " closed>>",
                    transport.toString());
            transport.close();
            assertEquals("<ProcessTransport closed pid=" + pid + " returncode=6 stdin=<WritePipeTransport stdin of " + pid + " closed>>",
                    transport.toString());
        });
    }
}

