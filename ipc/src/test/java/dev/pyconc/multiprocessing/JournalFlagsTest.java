package dev.pyconc.multiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pyconc.ipc.internal.journal.JournalFlags;

class JournalFlagsTest {
    @TempDir
    Path dir;

    /** The flags name the deployment's target and carry Chronicle's analytics switch. */
    @Test
    void jvmArgsListTheModuleFlagsAndProperties() {
        List<String> args = JournalFlags.jvmArgs();
        String target = ModuleLayer.boot().findModule("chronicle.core").isPresent() ? "chronicle.core,chronicle.bytes" : "ALL-UNNAMED";
        assertEquals(List.of("--add-opens=java.base/java.lang.reflect=" + target,
                "--add-exports=java.base/sun.nio.ch=" + target,
                "--add-exports=java.base/jdk.internal.ref=" + target,
                "-Dchronicle.analytics.disable=true",
                "-Dchronicle.announcer.disable=true"), args);
    }

    /** Child: uses the codec and JournalFlags, then tries a JournalQueue; prints what it saw. */
    public static final class CodecOnly {
        public static void main(String[] args) {
            Object back = Codec.standard().decode(bytes(List.of("x", 1)));
            System.out.println("codec " + back);
            System.out.println("flags " + JournalFlags.jvmArgs());
            System.out.flush();
            if (args.length > 0) {
                try {
                    JournalQueue.open(Path.of(args[0])).close();
                    System.out.println("opened");
                } catch (IllegalStateException e) {
                    System.out.println("refused " + e.getMessage());
                }
            }
        }

        private static byte[] bytes(Object item) {
            var b = StandardCodec.encodeToBuffer(Codec.standard(), item);
            byte[] out = b.toByteArray();
            b.reset();
            return out;
        }
    }

    /** Without Chronicle's jars, codecs work, jvmArgs is empty and JournalQueue says which dependency to add. */
    @Test
    void ipcWorksWithoutChronicle() throws Exception {
        try (ChildJvm child = ChildJvm.builder().chronicleFlags(true).classPath(entry -> !entry.contains("openhft")).main(CodecOnly.class,
                dir.resolve("j").toString())) {
            List<String> out = child.readAll();
            assertEquals(0, child.waitFor());
            assertEquals(List.of("codec [x, 1]", "flags []",
                    "refused JournalQueue stores its items with Chronicle Queue: add the dependency "
                            + "net.openhft:chronicle-queue to the application (and, on the module path, --add-modules chronicle.queue)"),
                    out);
        }
    }

    /** With Chronicle present, using codecs and JournalFlags loads no Chronicle class. */
    @Test
    void codecsLoadNoChronicleClass() throws Exception {
        Path log = dir.resolve("classes.log");
        try (ChildJvm child = ChildJvm.builder().options(List.of("-Xlog:class+load=info:file=" + log)).chronicleFlags(true).main(CodecOnly.class)) {
            List<String> out = child.readAll();
            assertEquals(0, child.waitFor());
            assertEquals("codec [x, 1]", out.get(0));
        }
        List<String> loaded = Files.readAllLines(log);
        assertTrue(loaded.stream().anyMatch(l -> l.contains("dev.pyconc.ipc.internal.journal.JournalFlags")));
        assertFalse(loaded.stream().anyMatch(l -> l.contains("net.openhft")), "a Chronicle class was loaded");
    }

    /** Opening a JournalQueue in a JVM without the module flags fails with the exact flags to add. */
    @Test
    void missingFlagsAreNamed() throws Exception {
        try (ChildJvm child = ChildJvm.builder().main(CodecOnly.class, dir.resolve("j").toString())) {
            List<String> out = child.readAll();
            assertEquals(0, child.waitFor());
            assertEquals("refused JournalQueue stores its items with Chronicle Queue, which needs these JVM flags: "
                    + "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-exports=java.base/sun.nio.ch=ALL-UNNAMED"
                    + " (all flags: --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-exports=java.base/sun.nio.ch=ALL-UNNAMED"
                    + " --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED -Dchronicle.analytics.disable=true"
                    + " -Dchronicle.announcer.disable=true)", out.get(2));
        }
        assertFalse(Files.exists(dir.resolve("j").resolve("metadata.cq4t")), "nothing was created");
    }
}
