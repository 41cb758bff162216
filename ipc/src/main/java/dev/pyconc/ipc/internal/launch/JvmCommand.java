package dev.pyconc.ipc.internal.launch;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarFile;

import dev.pyconc.core.internal.GilRuntime;
import dev.pyconc.ipc.internal.journal.JournalFlags;

/**
 * The command line and environment of a JVM that is set up as this one is: the same {@code java}
 * executable, class path, module path and main module, the same JVM flags (native access,
 * {@code --add-opens}/{@code --add-exports}, {@code --patch-module}, memory and GC options, ...),
 * every {@code pyconc.*} system property as it is now, and the GIL mode as it is now.
 *
 * <p>This is what Python's spawn start method gets from {@code sys.executable} and
 * {@code _args_from_interpreter_flags()}. Child processes and the pre-started spare JVM of the
 * forkserver start method use it, and so do tests that need a second JVM.
 */
public final class JvmCommand {

    /** The variables whose JVM options the flags of this JVM already contain. */
    private static final List<String> OPTION_VARIABLES = List.of("JDK_JAVA_OPTIONS", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS");

    private static volatile Inherited inherited;    // computed on first use
    private static volatile String executable;      // set by Multiprocessing.setExecutable, or null: this JVM's

    /** What a child inherits from this JVM: its java, its flags, its class path, its main module (or null). */
    record Inherited(String java, List<String> flags, String classPath, String mainModule) {}

    /*
     * Overview.
     *
     * The inherited part is computed once per JVM (the flags a JVM started with never change):
     *
     *   java  <flags of this JVM, filtered>  <flags from an executable jar's manifest>
     *         -Dpyconc.*=<now>  -Dpyconc.gil=<0|1 now>  <extra flags of the caller>
     *         [-cp <java.class.path>]  [--add-modules=<main module>]
     *         (-m <module>/<main class> | <main class>)  <arguments>
     *
     * The flags come from RuntimeMXBean.getInputArguments(), which already holds the options of
     * argument files and of the JDK_JAVA_OPTIONS, JAVA_TOOL_OPTIONS and _JAVA_OPTIONS variables,
     * in normalized form (--module-path=..., --patch-module=..., --add-opens=...). Those variables
     * are therefore removed from the child's environment, or their options would apply twice.
     * Dropped: -Dpyconc.* (replaced by the values of now), the launcher's -Djdk.module.main
     * (a child's main class is pyconc's), debugger and JMX agents that listen on a fixed port (a
     * second JVM could not bind it), options that write CDS/AOT archives at exit, and log and
     * flight-recording files named without %p (the child would overwrite the parent's file).
     *
     * A main class in a named module starts with -m; when this JVM runs a main module, the child
     * adds it with --add-modules so that the same modules are resolved. Manifest attributes of an
     * executable jar (Enable-Native-Access, Add-Opens, Add-Exports) apply only with -jar, so for
     * a JVM started with -jar they become the equivalent flags.
     */

    private JvmCommand() {}

    /**
     * The command that runs {@code mainClass} with {@code args} in a JVM set up as this one, with
     * {@code extraFlags} after the inherited flags (so that they win).
     */
    public static List<String> command(Class<?> mainClass, List<String> extraFlags, List<String> args) {
        return command(inherited(), mainClass, extraFlags, args);
    }

    static List<String> command(Inherited base, Class<?> mainClass, List<String> extraFlags, List<String> args) {
        List<String> command = new ArrayList<>(base.flags().size() + extraFlags.size() + args.size() + 12);
        String java = executable;
        command.add(java != null ? java : base.java());
        command.addAll(base.flags());
        command.addAll(pyconcProperties());
        command.add("-Dpyconc.gil=" + (GilRuntime.isEnabled() ? "1" : "0"));
        command.addAll(JournalFlags.jvmArgs());          // what JournalQueue's Chronicle needs, when present
        command.addAll(extraFlags);
        if (!base.classPath().isEmpty()) {
            command.add("-cp");
            command.add(base.classPath());
        }
        Module module = mainClass.getModule();
        if (base.mainModule() != null && !base.mainModule().equals(module.getName())) {
            command.add("--add-modules=" + base.mainModule());
        }
        if (module.isNamed()) {
            command.add("-m");
            command.add(module.getName() + "/" + mainClass.getName());
        } else {
            command.add(mainClass.getName());
        }
        command.addAll(args);
        return command;
    }

    /**
     * The environment of a JVM set up as this one: this JVM's, without the variables whose
     * options the inherited flags already hold, then {@code extra} on top.
     */
    public static Map<String, String> environment(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(System.getenv());
        for (String name : OPTION_VARIABLES) {
            env.remove(name);
        }
        env.putAll(extra);
        return env;
    }

    /**
     * Checks one flag given for a child JVM: it must be an option, and not one that sets what
     * pyconc sets (the class path and the main class).
     *
     * @throws IllegalArgumentException with a message that says what to do instead
     */
    public static void checkFlag(String flag) {
        if (flag == null || flag.isBlank()) {
            throw new IllegalArgumentException("JVM argument must not be null or blank");
        }
        if (!flag.startsWith("-")) {
            throw new IllegalArgumentException("JVM argument '" + flag + "' is not an option: options start with '-'"
                    + " (write options that take a value in one piece, e.g. --add-opens=java.base/java.lang=ALL-UNNAMED)");
        }
        switch (flag) {
            case "-cp", "-classpath", "--class-path", "-p", "--module-path", "-m", "--module", "-jar",
                 "--add-opens", "--add-exports", "--add-reads", "--add-modules", "--patch-module",
                 "--enable-native-access", "--limit-modules", "--upgrade-module-path" ->
                throw new IllegalArgumentException("JVM argument '" + flag + "' takes a value: write it in one piece as '"
                        + flag + "=VALUE'" + (flag.equals("-cp") || flag.equals("-classpath") || flag.equals("--class-path")
                        || flag.equals("-jar") || flag.equals("-m") || flag.equals("--module")
                        ? "; the child's class path and main class are always the parent's" : ""));
            default -> {
                if (flag.startsWith("--class-path=") || flag.startsWith("--module=") || flag.startsWith("-jar=")) {
                    throw new IllegalArgumentException("JVM argument '" + flag
                            + "' is not allowed: the child's class path and main class are always the parent's");
                }
            }
        }
    }

    /** The {@code -D} flags of this JVM's {@code pyconc.*} system properties, but pyconc.gil, sorted. */
    private static List<String> pyconcProperties() {
        Properties props = System.getProperties();
        TreeMap<String, String> sorted = new TreeMap<>();
        for (String name : props.stringPropertyNames()) {
            if (name.startsWith("pyconc.") && !name.equals("pyconc.gil")) {
                sorted.put(name, props.getProperty(name));
            }
        }
        List<String> flags = new ArrayList<>(sorted.size());
        sorted.forEach((name, value) -> flags.add("-D" + name + "=" + value));
        return flags;
    }

    private static Inherited inherited() {
        Inherited i = inherited;
        if (i == null) {
            synchronized (JvmCommand.class) {
                i = inherited;
                if (i == null) {
                    i = compute();
                    inherited = i;
                }
            }
        }
        return i;
    }

    private static Inherited compute() {
        List<String> flags = new ArrayList<>();
        for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (inheritable(flag)) {
                flags.add(flag);
            }
        }
        String classPath = System.getProperty("java.class.path", "");
        flags.addAll(executableJarFlags(classPath));
        String mainModule = System.getProperty("jdk.module.main");
        return new Inherited(javaExecutable(), List.copyOf(flags), classPath, mainModule);
    }

    static boolean inheritable(String flag) {
        return !(writesFixedFile(flag)
                || flag.startsWith("-Dpyconc.")
                || flag.startsWith("-Djdk.module.main=")
                || flag.startsWith("-Djdk.module.main.class=")
                || flag.startsWith("-agentlib:jdwp") || flag.startsWith("-Xrunjdwp")
                || flag.startsWith("-Dcom.sun.management.jmxremote")
                || flag.startsWith("-XX:ArchiveClassesAtExit") || flag.startsWith("-XX:DumpLoadedClassList")
                || flag.startsWith("-XX:AOTCacheOutput") || flag.startsWith("-XX:AOTConfiguration")
                || flag.equals("-XX:AOTMode=record") || flag.equals("-XX:AOTMode=create")
                || flag.equals("-Xshare:dump"));
    }

    /**
     * Whether {@code flag} makes the JVM write a file whose name does not contain the process id
     * ({@code %p}): a second JVM would overwrite this one's GC log, unified log or flight recording.
     */
    private static boolean writesFixedFile(String flag) {
        if (flag.contains("%p")) {
            return false;
        }
        return (flag.startsWith("-Xlog:") && flag.contains("file="))
                || flag.startsWith("-Xloggc:")
                || (flag.startsWith("-XX:StartFlightRecording") && flag.contains("filename="));
    }

    /** Flags for the manifest attributes that apply only to {@code java -jar}, when this JVM was started so. */
    private static List<String> executableJarFlags(String classPath) {
        String command = System.getProperty("sun.java.command", "");
        if (classPath.isEmpty() || classPath.contains(File.pathSeparator) || !classPath.endsWith(".jar")
                || !command.startsWith(classPath)) {
            return List.of();
        }
        Path jar = Path.of(classPath);
        if (!Files.isRegularFile(jar)) {
            return List.of();
        }
        try (JarFile file = new JarFile(jar.toFile(), false)) {
            var manifest = file.getManifest();
            if (manifest == null) {
                return List.of();
            }
            Attributes main = manifest.getMainAttributes();
            List<String> flags = new ArrayList<>();
            String nativeAccess = main.getValue("Enable-Native-Access");
            if (nativeAccess != null && nativeAccess.trim().equals("ALL-UNNAMED")) {
                flags.add("--enable-native-access=ALL-UNNAMED");
            }
            addEach(flags, "--add-opens=", main.getValue("Add-Opens"));
            addEach(flags, "--add-exports=", main.getValue("Add-Exports"));
            return flags;
        } catch (IOException | SecurityException e) {
            return List.of();
        }
    }

    private static void addEach(List<String> flags, String option, String packages) {
        if (packages == null) {
            return;
        }
        for (String modulePackage : packages.trim().split("\\s+")) {
            if (!modulePackage.isEmpty()) {
                flags.add(option + modulePackage + "=ALL-UNNAMED");
            }
        }
    }

    private static String javaExecutable() {
        boolean windows = System.getProperty("os.name", "").startsWith("Windows");
        Path java = Path.of(System.getProperty("java.home"), "bin", windows ? "java.exe" : "java");
        if (Files.isExecutable(java)) {
            return java.toString();
        }
        return ProcessHandle.current().info().command().orElse(java.toString());
    }

    /** The java executable that children run: the one set, else this JVM's (Python's {@code get_executable()}). */
    public static String executable() {
        String java = executable;
        return java != null ? java : inherited().java();
    }

    /**
     * Sets the java executable that children run from now on; null restores this JVM's.
     *
     * @throws IllegalArgumentException if {@code java} is not an executable file
     */
    public static void setExecutable(Path java) {
        if (java != null && !(Files.isRegularFile(java) && Files.isExecutable(java))) {
            throw new IllegalArgumentException("not an executable file: " + java);
        }
        executable = java == null ? null : java.toAbsolutePath().toString();
    }

    /** The inherited flags, for tests and diagnostics. */
    static List<String> inheritedFlags() {
        return Collections.unmodifiableList(inherited().flags());
    }
}
