package dev.pyconc.ipc.internal.shm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.pyconc.multiprocessing.ChildJvm;
import dev.pyconc.multiprocessing.NoLeaks;

@ExtendWith(NoLeaks.class)
class ShmTest {

    private static Path path(String name) {
        return Shm.directory().resolve(name);
    }

    private static int mode(Path p) throws IOException {
        return (int) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    }

    private static Class<? extends Throwable> cause(UncheckedIOException e) {
        return e.getCause().getClass();
    }

    /** The effective uid read from /proc is the owner of a file this process creates, and the native call's answer. */
    @Test
    void currentUidIsTheOwnerOfFilesThisProcessCreates() throws IOException {
        Path probe = Files.createTempFile("pyconc-uid-test", ".probe");
        try {
            assertEquals((int) Files.getAttribute(probe, "unix:uid"), Shm.currentUid());
        } finally {
            Files.delete(probe);
        }
        if (Posix.AVAILABLE) {
            assertEquals(Posix.geteuid(), Shm.currentUid());
        }
    }

    /** Each bad name is rejected with a message naming the problem, and no file is touched. */
    @Test
    void badNamesAreRejectedBeforeAnyFileIsTouched() {
        Set<String> before = NoLeaks.segments();
        String longName = "x".repeat(256);
        String[][] cases = {
            {"", "must not be empty"},
            {"/", "must not be empty"},
            {".", "must not be '.'"},
            {"..", "must not be '..'"},
            {"a/b", "must not contain '/'"},
            {"a\0b", "U+0000"},
            {"bell\u0007", "U+0007"},
            {"new\nline", "U+000A"},
            {"zero\u200bwidth", "U+200B"},
            {longName, "256 bytes long"},
            {"é".repeat(128), "256 bytes long"},
        };
        for (String[] c : cases) {
            var e = assertThrows(IllegalArgumentException.class, () -> Shm.create(Shm.checkName(c[0]), 4096,
                    Arena.ofAuto(), false), "name " + c[0]);
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> Shm.checkName(null));
        assertEquals("shared memory name must not be null", e.getMessage());
        assertEquals(before, NoLeaks.segments());
        assertEquals("abc", Shm.checkName("/abc"));
        assertEquals("x".repeat(255), Shm.checkName("x".repeat(255)));
        assertEquals("héllo wörld", Shm.checkName("héllo wörld"));
    }

    /** Generated names are distinct, 26 base-32 characters (130 random bits) after the prefix. */
    @Test
    void randomNamesCarryAtLeast96RandomBits() {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String n = Shm.randomName("psm_");
            assertTrue(n.matches("psm_[a-z2-7]{26}"), n);
            names.add(n);
        }
        assertEquals(10_000, names.size());
    }

    /** A created segment has mode 0600, the requested size, and its bytes are seen through a second mapping. */
    @Test
    void createAndAttachShareBytes() throws IOException {
        String name = Shm.randomName("test-");
        try (Arena a = Arena.ofShared(); Arena b = Arena.ofShared()) {
            MemorySegment created = Shm.create(name, 10_000, a, false);
            assertEquals(10_000, created.byteSize());
            assertEquals(0600, mode(path(name)));
            created.set(ValueLayout.JAVA_LONG, 8, 0x1234_5678_9ABCL);
            MemorySegment attached = Shm.attach(name, b);
            assertEquals(10_000, attached.byteSize());
            assertEquals(0x1234_5678_9ABCL, attached.get(ValueLayout.JAVA_LONG, 8));
        } finally {
            Shm.unlink(name);
        }
        var e = assertThrows(UncheckedIOException.class, () -> Shm.unlink(name));
        assertEquals(NoSuchFileException.class, cause(e));
    }

    /** A segment beyond 2 GiB maps whole; a byte past 2 GiB written in one mapping is read in another. */
    @Test
    void segmentsBeyondTwoGibibytes() {
        String name = Shm.randomName("test-big-");
        long size = (1L << 31) + 8192;
        try (Arena a = Arena.ofShared(); Arena b = Arena.ofShared()) {
            MemorySegment created = Shm.create(name, size, a, false);
            created.set(ValueLayout.JAVA_LONG, size - 8, 42L);
            created.set(ValueLayout.JAVA_LONG, (1L << 31) + 16, 43L);
            MemorySegment attached = Shm.attach(name, b);
            assertEquals(size, attached.byteSize());
            assertEquals(42L, attached.get(ValueLayout.JAVA_LONG, size - 8));
            assertEquals(43L, attached.get(ValueLayout.JAVA_LONG, (1L << 31) + 16));
        } finally {
            Shm.unlink(name);
        }
    }

    /** A planted file makes creation fail with FileAlreadyExistsException; its content and mode stay. */
    @Test
    void plantedFileIsLeftUntouched() throws IOException {
        String name = Shm.randomName("test-planted-");
        Path planted = path(name);
        Files.writeString(planted, "planted");
        Files.setPosixFilePermissions(planted, PosixFilePermissions.fromString("rw-rw-rw-"));
        try {
            var e = assertThrows(UncheckedIOException.class, () -> Shm.create(name, 4096, Arena.ofAuto(), true));
            assertEquals(FileAlreadyExistsException.class, cause(e));
            assertTrue(e.getMessage().contains("left untouched"), e.getMessage());
            assertEquals("planted", Files.readString(planted));
            assertEquals(0666, mode(planted));
        } finally {
            Files.delete(planted);
        }
    }

    /** A planted symbolic link (to a file, or dangling) makes creation fail; link and target stay as they were. */
    @Test
    void plantedSymlinkIsNeitherFollowedNorReplaced() throws IOException {
        String name = Shm.randomName("test-link-");
        Path link = path(name);
        Path target = path(name + "-target");
        Files.writeString(target, "target");
        try {
            Files.createSymbolicLink(link, target);
            var e = assertThrows(UncheckedIOException.class, () -> Shm.create(name, 4096, Arena.ofAuto(), false));
            assertEquals(FileAlreadyExistsException.class, cause(e));
            assertEquals(target, Files.readSymbolicLink(link));
            assertEquals("target", Files.readString(target));
            var refused = assertThrows(UncheckedIOException.class, () -> Shm.attach(name, Arena.ofAuto()));
            assertEquals(AccessDeniedException.class, cause(refused));
            assertTrue(refused.getMessage().contains("symbolic link"), refused.getMessage());
            Files.delete(target);
            var dangling = assertThrows(UncheckedIOException.class, () -> Shm.create(name, 4096, Arena.ofAuto(), false));
            assertEquals(FileAlreadyExistsException.class, cause(dangling));
            assertTrue(Files.isSymbolicLink(link));
            assertTrue(Files.notExists(target));
        } finally {
            Files.deleteIfExists(link);
            Files.deleteIfExists(target);
        }
    }

    /** Attaching refuses a segment owned by another user (here uid 1). */
    @Test
    void attachRefusesAnotherUsersSegment() throws IOException {
        Assumptions.assumeTrue(Shm.currentUid() == 0, "chown to another uid needs root");
        String name = Shm.randomName("test-owner-");
        try (Arena a = Arena.ofShared()) {
            Shm.create(name, 4096, a, false);
            Files.setAttribute(path(name), "unix:uid", 1);
            var e = assertThrows(UncheckedIOException.class, () -> Shm.attach(name, Arena.ofAuto()));
            assertEquals(AccessDeniedException.class, cause(e));
            assertTrue(e.getMessage().contains("owned by uid 1, not by this user (uid 0)"), e.getMessage());
        } finally {
            Shm.unlink(name);
        }
    }

    /** Attaching refuses a segment writable by group or others, and accepts one merely readable by them. */
    @Test
    void attachRefusesSegmentsWritableByOthers() throws IOException {
        String name = Shm.randomName("test-mode-");
        try (Arena a = Arena.ofShared()) {
            Shm.create(name, 4096, a, false);
            for (String perms : List.of("rw-rw----", "rw----rw-", "rw--w----", "rw-----w-")) {
                Files.setPosixFilePermissions(path(name), PosixFilePermissions.fromString(perms));
                var e = assertThrows(UncheckedIOException.class, () -> Shm.attach(name, Arena.ofAuto()), perms);
                assertEquals(AccessDeniedException.class, cause(e));
                assertTrue(e.getMessage().contains("writable by group or others"), e.getMessage());
            }
            Files.setPosixFilePermissions(path(name), PosixFilePermissions.fromString("rw-r--r--"));
            assertEquals(4096, Shm.attach(name, Arena.ofAuto()).byteSize());
        } finally {
            Shm.unlink(name);
        }
    }

    /** Attaching to a missing name fails with NoSuchFileException; to a directory, with a refusal. */
    @Test
    void attachMissingOrDirectory() throws IOException {
        var missing = assertThrows(UncheckedIOException.class, () -> Shm.attach(Shm.randomName("nope-"), Arena.ofAuto()));
        assertEquals(NoSuchFileException.class, cause(missing));
        String name = Shm.randomName("test-dir-");
        Files.createDirectory(path(name));
        try {
            var dir = assertThrows(UncheckedIOException.class, () -> Shm.attach(name, Arena.ofAuto()));
            assertEquals(AccessDeniedException.class, cause(dir));
            assertTrue(dir.getMessage().contains("not a regular file"), dir.getMessage());
        } finally {
            Files.delete(path(name));
        }
    }

    /** Without a leading slash or with one, a name maps to the same file; the default directory is /dev/shm. */
    @Test
    void defaultDirectoryIsDevShm() {
        String configured = System.clearProperty("pyconc.shm.dir");
        try {
            assertEquals(Path.of("/dev/shm"), Shm.directory());
            String name = Shm.randomName("test-default-");
            try (Arena a = Arena.ofShared()) {
                Shm.create(name, 4096, a, false);
                assertTrue(Files.isRegularFile(Path.of("/dev/shm", name)));
            } finally {
                Shm.unlink(Shm.checkName("/" + name));
            }
            assertTrue(Files.notExists(Path.of("/dev/shm", name)));
        } finally {
            System.setProperty("pyconc.shm.dir", configured);
        }
    }

    /** A full file system makes creation throw "No space left on device" and leaves no file; never SIGBUS. */
    @Test
    void fullFileSystemIsAnException() throws Exception {
        Assumptions.assumeTrue(Shm.currentUid() == 0, "mounting a small tmpfs needs root");
        Path mount = Files.createTempDirectory("pyconc-tinyfs");
        run("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mount.toString());
        String configured = System.getProperty("pyconc.shm.dir");
        System.setProperty("pyconc.shm.dir", mount.toString());
        try {
            String name = Shm.randomName("test-full-");
            var e = assertThrows(UncheckedIOException.class, () -> Shm.create(name, 4 << 20, Arena.ofAuto(), false));
            assertInstanceOf(FileSystemException.class, e.getCause());
            assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
            try (var files = Files.list(mount)) {
                assertEquals(0, files.count());
            }
            try (Arena a = Arena.ofShared()) {
                MemorySegment small = Shm.create(name, 64 << 10, a, false);
                small.fill((byte) 7);            // every page was reserved: no fault
                assertEquals(7, small.get(ValueLayout.JAVA_BYTE, (64 << 10) - 1));
            } finally {
                Shm.unlink(name);
            }
        } finally {
            System.setProperty("pyconc.shm.dir", configured);
            run("umount", mount.toString());
            Files.delete(mount);
        }
    }

    /** Under umask 000 and 077 alike, a child JVM creates its segment with mode 0600. */
    @Test
    void modeIs0600WhateverTheUmask() throws IOException {
        for (String umask : List.of("000", "077", "277")) {
            String name = Shm.randomName("test-umask-");
            try (var child = ChildJvm.start(List.of(), umask, ShmTest.class, "createAndExit", name)) {
                assertEquals(0, child.waitFor());
            }
            try {
                assertEquals(0600, mode(path(name)), "umask " + umask);
            } finally {
                Shm.unlink(name);
            }
        }
    }

    /** The portable path (no native calls) creates securely, refuses the same segments and shares bytes. */
    @Test
    void portablePathWithoutNativeCalls() throws IOException {
        String name = Shm.randomName("test-portable-");
        Path planted = path(name + "-planted");
        Files.writeString(planted, "x");
        Path link = path(name + "-link");
        Files.createSymbolicLink(link, planted);
        try (var child = ChildJvm.start(List.of("-Dpyconc.ipc.native=false"), "000", ShmTest.class, "portableChecks",
                name)) {
            child.expect("created");
            assertEquals(0600, mode(path(name)));
            try (Arena a = Arena.ofShared()) {
                assertEquals(0x55L, Shm.attach(name, a).get(ValueLayout.JAVA_LONG, 4096));
            }
            child.send("go");
            assertEquals(0, child.waitFor());
            assertEquals("x", Files.readString(planted));
        } finally {
            Files.deleteIfExists(path(name));
            Files.deleteIfExists(link);
            Files.deleteIfExists(planted);
        }
    }

    /** Child: creates segment args[0] and exits. */
    public static void createAndExit(Object[] args) {
        Shm.create((String) args[0], 4096, Arena.ofAuto(), false);
    }

    /** Child: the portable-path checks, reported through its exit code. */
    public static void portableChecks(Object[] args) throws IOException {
        if (Posix.AVAILABLE) {
            throw new AssertionError("native calls should be off");
        }
        String name = (String) args[0];
        MemorySegment m = Shm.create(name, 8192, Arena.ofAuto(), false);
        m.set(ValueLayout.JAVA_LONG, 4096, 0x55L);
        var exists = assertThrows(UncheckedIOException.class, () -> Shm.create(name + "-planted", 4096, Arena.ofAuto(), false));
        assertEquals(FileAlreadyExistsException.class, exists.getCause().getClass());
        var link = assertThrows(UncheckedIOException.class, () -> Shm.create(name + "-link", 4096, Arena.ofAuto(), false));
        assertEquals(FileAlreadyExistsException.class, link.getCause().getClass());
        var refused = assertThrows(UncheckedIOException.class, () -> Shm.attach(name + "-link", Arena.ofAuto()));
        assertEquals(AccessDeniedException.class, refused.getCause().getClass());
        Files.setPosixFilePermissions(path(name + "-planted"), PosixFilePermissions.fromString("rw-rw-rw-"));
        var writable = assertThrows(UncheckedIOException.class, () -> Shm.attach(name + "-planted", Arena.ofAuto()));
        assertTrue(writable.getMessage().contains("writable by group or others"));
        assertArrayEquals("x".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(path(name + "-planted")));
        ChildJvm.say("created");
        ChildJvm.hear();
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed: " + out);
        }
    }
}
