package dev.pyconc.ipc.internal.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.pyconc.ipc.internal.sync.EventDescriptor;
import dev.pyconc.multiprocessing.ChildJvm;
import dev.pyconc.multiprocessing.NoLeaks;
import dev.pyconc.multiprocessing.sharedmemory.SharedMemory;

/**
 * The resource tracker with real process trees: a child JVM founds a tree (it is started without
 * this JVM's {@code pyconc.tracker}), its own child joins it, and they are killed with kill -9.
 */
@ExtendWith(NoLeaks.class)
class ResourceTrackerTest {
    private static final List<String> OWN_TREE = List.of("-Upyconc.tracker");

    /** Keeps the children's primitive segments referenced, so that only the tracker may remove them. */
    static final java.util.List<Object> KEEP = new java.util.ArrayList<>();

    private static boolean exists(String name) {
        return Files.exists(Shm.directory().resolve(name));
    }

    private static void sigint(long pid) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(pid)).start().waitFor());
    }

    /** After kill -9 of every member, in either order, the tree's tracked segments go and untracked ones stay. */
    @Test
    void killedTreeIsCleanedUp() throws Exception {
        for (int round = 0; round < 2; round++) {
            try (var a = ChildJvm.start(OWN_TREE, null, ResourceTrackerTest.class, "founder")) {
                String x = a.readLine(), y = a.readLine(), primitive = a.readLine(), z = a.readLine();
                Path tree = Path.of(a.readLine());
                long trackerPid = Long.parseLong(a.readLine());
                long bPid = Long.parseLong(a.readLine());
                for (String n : List.of(x, y, primitive, z)) {
                    assertTrue(exists(n), n);
                }
                sigint(trackerPid);       // a Ctrl-C meant for the program must not kill its cleaner
                if (round == 0) {
                    ProcessHandle.of(bPid).orElseThrow().destroyForcibly();
                    a.kill9();
                } else {
                    a.kill9();
                    ProcessHandle.of(bPid).orElseThrow().destroyForcibly();
                }
                ChildJvm.eventually("tracked segments unlinked", () -> !exists(x) && !exists(z) && !exists(primitive));
                ChildJvm.eventually("tree removed", () -> Files.notExists(tree));
                ChildJvm.eventually("grandchild gone", () -> ProcessHandle.of(bPid).isEmpty());
                assertTrue(exists(y), "an untracked segment stays");
                Shm.unlink(y);
            }
        }
    }

    /** A segment that a live process outside the tree maps is left until it is unmapped, then unlinked. */
    @Test
    void mappedSegmentIsKeptUntilUnmapped() throws Exception {
        try (var a = ChildJvm.start(OWN_TREE, null, ResourceTrackerTest.class, "creatorWithMarker")) {
            String x = a.readLine(), marker = a.readLine();
            var view = SharedMemory.attach(x);
            a.kill9();
            ChildJvm.eventually("the tracker's clean-up pass removed the marker", () -> !exists(marker));
            assertTrue(exists(x), "a mapped segment must not be unlinked");
            view.close();
            ChildJvm.eventually("the segment is unlinked once unmapped", () -> !exists(x));
        }
    }

    /** Attaching never registers: a segment a tree only attached to outlives that tree. */
    @Test
    void attachingNeverRegisters() throws Exception {
        try (var shm = new SharedMemory(null, true, 4096, false)) {
            try (var c = ChildJvm.start(OWN_TREE, null, ResourceTrackerTest.class, "attacherWithMarker", shm.name())) {
                String marker = c.readLine();
                assertEquals(0, c.waitFor());
                ChildJvm.eventually("the attacher's tree was cleaned", () -> !exists(marker));
            }
            assertTrue(exists(shm.name()));
            shm.unlink();
        }
    }

    /** An explicit unlink ends the tracker's care: a new file of the same name made elsewhere survives the tree. */
    @Test
    void explicitUnlinkIsRespected() throws Exception {
        String name = Shm.randomName("test-reused-");
        try (var a = ChildJvm.start(OWN_TREE, null, ResourceTrackerTest.class, "unlinkerWithMarker", name)) {
            String marker = a.readLine();
            try (var again = new SharedMemory(name, true, 4096, false)) {
                a.send("exit");
                assertEquals(0, a.waitFor());
                ChildJvm.eventually("the tree was cleaned", () -> !exists(marker));
                assertTrue(exists(name), "the other tree's file of the same name survives");
                again.unlink();
            }
        }
    }

    /**
     * A tracker killed with kill -9 is replaced at the next registration (one that comes after the
     * probe interval), and the tree is still cleaned.
     */
    @Test
    void killedTrackerIsReplaced() throws Exception {
        try (var a = ChildJvm.start(OWN_TREE, null, ResourceTrackerTest.class, "trackerKiller")) {
            long first = Long.parseLong(a.readLine());
            ProcessHandle.of(first).orElseThrow().destroyForcibly();
            ChildJvm.eventually("first tracker dead", () -> ProcessHandle.of(first).isEmpty());
            a.send("create");
            String x = a.readLine();
            long second = Long.parseLong(a.readLine());
            assertTrue(second != first);
            a.kill9();
            ChildJvm.eventually("segment unlinked by the new tracker", () -> !exists(x));
        }
    }

    /** A tree whose tracker and members all died is swept by the next tree that starts. */
    @Test
    void orphanedTreeIsSwept() throws Exception {
        String x;
        try (var a = ChildJvm.start(OWN_TREE, null, ResourceTrackerTest.class, "trackerKiller")) {
            long tracker = Long.parseLong(a.readLine());
            ProcessHandle.of(tracker).orElseThrow().destroyForcibly();
            ChildJvm.eventually("tracker dead", () -> ProcessHandle.of(tracker).isEmpty());
            a.send("create-untracked-check");     // registers nothing new: the tracker stays dead
            x = a.readLine();
            a.kill9();
        }
        assertTrue(exists(x), "nobody cleans an orphaned tree by itself");
        try (var b = ChildJvm.start(OWN_TREE, null, ResourceTrackerTest.class, "creatorWithMarker")) {
            b.readLine();
            b.readLine();
            ChildJvm.eventually("orphan swept", () -> !exists(x));
            b.kill9();
        }
    }

    // ---------------------------------------------------------------- children

    /** Child: founds a tree, creates tracked, untracked and primitive segments, and starts a grandchild. */
    public static void founder(Object[] args) {
        var x = SharedMemory.create(4096);
        var y = new SharedMemory(null, true, 4096, false);
        var primitive = Segments.create(HeaderDescriptor.EVENT, EventDescriptor.LENGTH, m -> { });
        KEEP.add(primitive);
        var b = ChildJvm.start(ResourceTrackerTest.class, "member", x);
        String z = b.readLine();
        ChildJvm.say(x.name());
        ChildJvm.say(y.name());
        ChildJvm.say(primitive.name());
        ChildJvm.say(z);
        ChildJvm.say(ResourceTracker.treeDirectory().orElseThrow().toString());
        ChildJvm.say(Long.toString(ResourceTracker.trackerProcess().orElseThrow().pid()));
        ChildJvm.say(Long.toString(b.pid()));
        ChildJvm.hear();
    }

    /** Grandchild: joins its parent's tree (by the property), attaches x, creates z. */
    public static void member(Object[] args) {
        var x = (SharedMemory) args[0];
        x.buf().set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 1);
        var z = SharedMemory.create(8192);
        ChildJvm.say(z.name());
        ChildJvm.hear();
    }

    /** Child: a tracked segment and a tracked marker, then waits. */
    public static void creatorWithMarker(Object[] args) {
        var x = SharedMemory.create(4096);
        var marker = SharedMemory.create(4096);
        ChildJvm.say(x.name());
        ChildJvm.say(marker.name());
        ChildJvm.hear();
    }

    /** Child: attaches to args[0] (never registering it), creates a tracked marker, exits. */
    public static void attacherWithMarker(Object[] args) {
        try (var view = SharedMemory.attach((String) args[0])) {
            view.buf().set(java.lang.foreign.ValueLayout.JAVA_BYTE, 1, (byte) 2);
        }
        var marker = SharedMemory.create(4096);
        ChildJvm.say(marker.name());
    }

    /** Child: creates args[0] tracked, unlinks it, creates a marker, waits for "exit". */
    public static void unlinkerWithMarker(Object[] args) {
        var x = new SharedMemory((String) args[0], true, 4096);
        x.unlink();
        var marker = SharedMemory.create(4096);
        ChildJvm.say(marker.name());
        ChildJvm.hear();
    }

    /** Child: reports its tracker; on "create" registers a new segment and reports the (new) tracker. */
    public static void trackerKiller(Object[] args) throws IOException, InterruptedException {
        var first = SharedMemory.create(4096);
        KEEP.add(first);
        ChildJvm.say(Long.toString(ResourceTracker.trackerProcess().orElseThrow().pid()));
        String command = ChildJvm.hear();
        if (command.equals("create")) {
            Thread.sleep(ResourceTracker.PROBE_NANOS / 1_000_000 + 50);     // the next registration probes again
            var x = SharedMemory.create(4096);
            ChildJvm.say(x.name());
            ChildJvm.say(Long.toString(ResourceTracker.trackerProcess().orElseThrow().pid()));
        } else {
            ChildJvm.say(first.name());
        }
        ChildJvm.hear();
    }
}
