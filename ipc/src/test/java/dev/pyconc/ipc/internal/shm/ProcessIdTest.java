package dev.pyconc.ipc.internal.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.pyconc.multiprocessing.ChildJvm;
import dev.pyconc.multiprocessing.NoLeaks;

@ExtendWith(NoLeaks.class)
class ProcessIdTest {

    /** This process's identity holds its PID and is alive. */
    @Test
    void selfIsAlive() {
        assertEquals(ProcessHandle.current().pid(), ProcessId.PID);
        assertEquals(ProcessId.PID, ProcessId.pid(ProcessId.SELF));
        assertTrue(ProcessId.isAlive(ProcessId.SELF));
        assertTrue(ProcessId.startOf(ProcessId.PID) > 0);
    }

    /** A live process with another start time is not the recorded one: a reused PID is not taken for it. */
    @Test
    void reusedPidIsNotTheOwner() {
        long start = ProcessId.startOf(ProcessId.PID);
        assertFalse(ProcessId.isAlive(ProcessId.of(ProcessId.PID, start + 1)));
        assertTrue(ProcessId.isAlive(ProcessId.of(ProcessId.PID, start)));
    }

    /** Bit 31 (a flag the owner words may carry) is not part of the PID. */
    @Test
    void bit31IsNotPartOfThePid() {
        long flagged = ProcessId.SELF | 1L << 31;
        assertEquals(ProcessId.PID, ProcessId.pid(flagged));
        assertTrue(ProcessId.isAlive(flagged));
    }

    /** A stopped process is alive; an exited and reaped one is not. */
    @Test
    void stoppedIsAliveExitedIsNot() throws Exception {
        Process p = new ProcessBuilder("sleep", "30").start();
        try {
            long id = ProcessId.of((int) p.pid(), ProcessId.startOf((int) p.pid()));
            assertTrue(ProcessId.isAlive(id));
            assertEquals(0, new ProcessBuilder("kill", "-STOP", Long.toString(p.pid())).start().waitFor());
            ChildJvm.eventually("stopped", () -> state(p.pid()) == 'T');
            assertTrue(ProcessId.isAlive(id));
            p.destroyForcibly().waitFor();
            assertFalse(ProcessId.isAlive(id));
            assertEquals(-1, ProcessId.startOf((int) p.pid()));
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    /** A zombie (killed, not reaped by its parent) counts as dead. */
    @Test
    void zombieIsDead() throws Exception {
        Process sh = new ProcessBuilder("/bin/sh", "-c", "sleep 0 & echo $!; exec sleep 30").start();
        try {
            int zombie = Integer.parseInt(new BufferedReader(new InputStreamReader(sh.getInputStream())).readLine().trim());
            ChildJvm.eventually("zombie", () -> state(zombie) == 'Z');
            assertEquals(-1, ProcessId.startOf(zombie));
            assertFalse(ProcessId.isAlive(ProcessId.of(zombie, 0)));
        } finally {
            sh.destroyForcibly().waitFor();
        }
    }

    private static char state(long pid) {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2);
        } catch (java.io.IOException e) {
            return '?';
        }
    }
}
