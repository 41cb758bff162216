package dev.pyconc.ipc.internal.shm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Who holds a cross-process primitive: a process identity that a reused PID cannot impersonate.
 *
 * <p>An identity is one {@code long}: the PID in the low 32 bits and the low 32 bits of the
 * process's start time in the high 32 bits, so that it fits in one word that a CAS can take:
 *
 * <pre>
 *   63                              32 31                               0
 *  +----------------------------------+----------------------------------+
 *  |  start time (low 32 bits)        |  PID                             |
 *  +----------------------------------+----------------------------------+
 * </pre>
 *
 * On Linux the start time is field 22 of {@code /proc/<pid>/stat} (clock ticks since boot); a
 * process with the same PID but another start time is a different process, so the dead owner is
 * recognised even after its PID has been reused. A zombie (killed, not yet reaped) counts as dead;
 * a stopped process (SIGSTOP) counts as alive. Elsewhere {@link ProcessHandle}'s start instant in
 * milliseconds stands in. Every process that shares a primitive must see the same PID namespace.
 * Zero is never an identity: it marks "no owner". PIDs are below 2^22 on Linux, so bit 31 is never
 * part of one; words that hold identities may use it as a flag ({@link #pid} ignores it).
 *
 * <p>Memory consistency effects: none; identities are values.
 */
public final class ProcessId {
    private static final boolean PROC = Files.isReadable(Path.of("/proc/self/stat"));

    /** This process's PID. */
    public static final int PID = (int) ProcessHandle.current().pid();

    /** This process's identity. */
    public static final long SELF = of(PID, startOf(PID));

    private ProcessId() {}

    /** The identity of the process {@code pid} that started at {@code start}. */
    public static long of(int pid, long start) {
        return (start & 0xFFFF_FFFFL) << 32 | (pid & 0xFFFF_FFFFL);
    }

    /** The PID of {@code id}: its low 31 bits (bit 31 is free for the flags of those who store ids). */
    public static int pid(long id) {
        return (int) (id & 0x7FFF_FFFFL);
    }

    /**
     * Whether the process {@code id} is running (stopped counts as running; a zombie does not).
     * Reads {@code /proc}: tens of microseconds; call it only when a wait has stalled.
     */
    public static boolean isAlive(long id) {
        if (id == SELF) {
            return true;
        }
        int pid = pid(id);
        if (pid <= 0) {
            return false;
        }
        if (Posix.AVAILABLE && !Posix.processExists(pid)) {
            return false;
        }
        long start = startOf(pid);
        return start >= 0 && (start & 0xFFFF_FFFFL) == (id >>> 32);
    }

    /**
     * The start time of process {@code pid}, or -1 when no such process runs (or it is a zombie).
     */
    public static long startOf(int pid) {
        if (PROC) {
            return procStart(pid);
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return -1;
        }
        return handle.get().info().startInstant().map(i -> i.toEpochMilli()).orElse(0L);
    }

    private static long procStart(int pid) {
        byte[] stat;
        try {
            stat = Files.readAllBytes(Path.of("/proc/" + pid + "/stat"));
        } catch (IOException | SecurityException e) {
            return -1;
        }
        // pid (comm) state ppid ... : comm may hold spaces and parentheses, so parse after the last ')'.
        String s = new String(stat, StandardCharsets.US_ASCII);
        int close = s.lastIndexOf(')');
        if (close < 0) {
            return -1;
        }
        String[] fields = s.substring(close + 2).split(" ");
        if (fields.length < 20) {
            return -1;
        }
        char state = fields[0].isEmpty() ? '?' : fields[0].charAt(0);
        if (state == 'Z' || state == 'X' || state == 'x') {
            return -1;
        }
        try {
            return Long.parseLong(fields[19]);    // field 22: starttime
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
