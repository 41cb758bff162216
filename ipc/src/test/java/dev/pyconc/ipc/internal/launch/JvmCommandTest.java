package dev.pyconc.ipc.internal.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.pyconc.gil.Gil;
import dev.pyconc.ipc.internal.shm.TrackerProcess;

class JvmCommandTest {
    /** A main class of ipc's module (the children's own, ChildMain, is package-private in dev.pyconc.multiprocessing). */
    private static final Class<?> MAIN = TrackerProcess.class;

    /** The command starts with this JVM's java, keeps its flags in order, then pyconc.*, the GIL flag, the extra flags, class path and main class. */
    @Test
    void commandLayout() {
        System.setProperty("pyconc.test.b", "2");
        System.setProperty("pyconc.test.a", "1 and more");
        try {
            List<String> cmd = JvmCommand.command(MAIN, List.of("-Xmx64m"), List.of("--spare"));
            assertEquals(Path.of(System.getProperty("java.home"), "bin", "java").toString(), cmd.getFirst());
            List<String> inherited = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                    .filter(JvmCommand::inheritable).toList();
            assertEquals(inherited, cmd.subList(1, 1 + inherited.size()));
            int a = cmd.indexOf("-Dpyconc.test.a=1 and more");
            assertEquals(a + 1, cmd.indexOf("-Dpyconc.test.b=2"), "pyconc properties are sorted by name");
            int gil = cmd.indexOf("-Dpyconc.gil=0");
            int extra = cmd.indexOf("-Xmx64m");
            assertTrue(a > inherited.size() && gil > a && extra > gil, cmd.toString());
            assertEquals("--spare", cmd.getLast());
            String main = MAIN.getModule().isNamed()
                    ? MAIN.getModule().getName() + "/" + MAIN.getName() : MAIN.getName();
            assertEquals(main, cmd.get(cmd.size() - 2));
            if (!System.getProperty("java.class.path").isEmpty()) {
                assertEquals(System.getProperty("java.class.path"), cmd.get(cmd.indexOf("-cp") + 1));
            }
            assertFalse(cmd.stream().anyMatch(s -> s.startsWith("-Djdk.module.main")), cmd.toString());
        } finally {
            System.clearProperty("pyconc.test.a");
            System.clearProperty("pyconc.test.b");
        }
    }

    /** A parent that runs a main module of its own (java -m app/...) gives its child --add-modules=app, and -m for pyconc's main class. */
    @Test
    void mainModuleIsAdded() {
        JvmCommand.Inherited app = new JvmCommand.Inherited("/jdk/bin/java", List.of("--module-path=/mods"), "", "app");
        List<String> cmd = JvmCommand.command(app, MAIN, List.of(), List.of());
        assertTrue(cmd.contains("--add-modules=app"), cmd.toString());
        assertFalse(cmd.contains("-cp"), "no class path when the parent has none");
        if (MAIN.getModule().isNamed()) {
            assertEquals(List.of("-m", "dev.pyconc.ipc/" + MAIN.getName()), cmd.subList(cmd.size() - 2, cmd.size()));
        }
        JvmCommand.Inherited self = new JvmCommand.Inherited("/jdk/bin/java", List.of(), "a.jar", MAIN.getModule().getName());
        List<String> same = JvmCommand.command(self, MAIN, List.of(), List.of());
        assertFalse(same.stream().anyMatch(s -> s.startsWith("--add-modules")), same.toString());
        assertEquals("a.jar", same.get(same.indexOf("-cp") + 1));
    }

    /** The GIL flag follows GIL mode at the time the command is made. */
    @Test
    void gilFlagFollowsGilMode() {
        Gil.enable();
        try {
            assertTrue(JvmCommand.command(MAIN, List.of(), List.of()).contains("-Dpyconc.gil=1"));
        } finally {
            Gil.disable();
        }
        List<String> off = JvmCommand.command(MAIN, List.of(), List.of());
        assertTrue(off.contains("-Dpyconc.gil=0"));
        assertEquals(1, off.stream().filter(s -> s.startsWith("-Dpyconc.gil=")).count());
    }

    /** Flags that would break a second JVM or overwrite this JVM's files are not inherited; others are. */
    @Test
    void inheritableFlags() {
        for (String dropped : List.of("-Dpyconc.gil=1", "-Dpyconc.x=y", "-Djdk.module.main=app",
                "-agentlib:jdwp=transport=dt_socket,server=y,address=5005", "-Xrunjdwp:transport=dt_socket",
                "-Dcom.sun.management.jmxremote.port=9010", "-XX:ArchiveClassesAtExit=app.jsa",
                "-XX:AOTCacheOutput=app.aot", "-XX:AOTMode=record", "-XX:AOTConfiguration=app.conf", "-Xshare:dump",
                "-XX:DumpLoadedClassList=classes.lst", "-Xlog:gc:file=gc.log", "-Xlog:gc*:file=/tmp/gc.txt:time",
                "-Xloggc:gc.log", "-XX:StartFlightRecording=duration=30s,filename=rec.jfr")) {
            assertFalse(JvmCommand.inheritable(dropped), dropped);
        }
        for (String kept : List.of("--enable-native-access=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "--patch-module=m=dir", "--module-path=a:b", "-Xmx1g", "-XX:+UseZGC", "-Dfoo=bar", "-ea",
                "-javaagent:agent.jar", "-XX:AOTCache=app.aot", "-XX:SharedArchiveFile=app.jsa", "-Xlog:gc",
                "-Xlog:gc:file=gc-%p.log", "-XX:StartFlightRecording=filename=rec-%p.jfr", "-XX:StartFlightRecording")) {
            assertTrue(JvmCommand.inheritable(kept), kept);
        }
    }

    /** The child's environment drops the variables whose options the flags already hold, then applies the extras. */
    @Test
    void environment() {
        Map<String, String> env = JvmCommand.environment(Map.of("PYCONC_X", "1", "PATH", "/nowhere"));
        assertEquals("1", env.get("PYCONC_X"));
        assertEquals("/nowhere", env.get("PATH"));
        assertFalse(env.containsKey("JDK_JAVA_OPTIONS"));
        assertFalse(env.containsKey("JAVA_TOOL_OPTIONS"));
        assertFalse(env.containsKey("_JAVA_OPTIONS"));
        assertEquals("opts", JvmCommand.environment(Map.of("JAVA_TOOL_OPTIONS", "opts")).get("JAVA_TOOL_OPTIONS"));
        System.getenv().forEach((k, v) -> {
            if (!k.endsWith("JAVA_OPTIONS") && !k.equals("JAVA_TOOL_OPTIONS") && !k.equals("PATH")) {
                assertEquals(v, env.get(k), k);
            }
        });
    }

    /** checkFlag accepts options and explains what to write instead of a split or forbidden one. */
    @Test
    void checkFlag() {
        JvmCommand.checkFlag("-Xmx1g");
        JvmCommand.checkFlag("--add-opens=java.base/java.lang=ALL-UNNAMED");
        assertEquals("JVM argument '--add-opens' takes a value: write it in one piece as '--add-opens=VALUE'",
                assertThrows(IllegalArgumentException.class, () -> JvmCommand.checkFlag("--add-opens")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JvmCommand.checkFlag("-jar")).getMessage()
                .endsWith("the child's class path and main class are always the parent's"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JvmCommand.checkFlag("Main")).getMessage()
                .contains("is not an option"));
        assertThrows(IllegalArgumentException.class, () -> JvmCommand.checkFlag(" "));
        assertThrows(IllegalArgumentException.class, () -> JvmCommand.checkFlag(null));
        assertThrows(IllegalArgumentException.class, () -> JvmCommand.checkFlag("--module=app/Main"));
    }
}
