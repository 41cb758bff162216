package dev.pyconc.ipc.internal.journal;

import java.util.ArrayList;
import java.util.List;

/**
 * What a JVM needs for {@code JournalQueue}, whose storage is Chronicle Queue: the module flags
 * Chronicle needs on JDK 25, and Chronicle's system properties that pyconc sets by default. This
 * class never loads a Chronicle class, so the launcher of child processes may call it whether or
 * not Chronicle is present.
 *
 * <p>The flags, found by removing each from Chronicle's own list until writing, reading,
 * {@code moveToIndex}, the table store and file rolling still worked on JDK 25:
 * <pre>
 *   --add-opens=java.base/java.lang.reflect=TARGET     (required: Chronicle's reflection helpers)
 *   --add-exports=java.base/sun.nio.ch=TARGET          (required: mapping files, FileChannelImpl)
 *   --add-exports=java.base/jdk.internal.ref=TARGET    (unmapping files promptly; a warning without it)
 * </pre>
 * where TARGET is {@code ALL-UNNAMED} when Chronicle's jars are on the class path, and
 * {@code chronicle.core,chronicle.bytes} when they are automatic modules on the module path.
 * {@code --enable-native-access=ALL-UNNAMED} (Chronicle's jffi dependency loads a native
 * library) is already one of pyconc's standard flags.
 */
public final class JournalFlags {
    /** Chronicle's property that turns its usage analytics off. */
    public static final String ANALYTICS_DISABLE = "chronicle.analytics.disable";
    /** Chronicle's property that turns its start-up banner off. */
    public static final String ANNOUNCER_DISABLE = "chronicle.announcer.disable";

    private static final String CHRONICLE_CORE = "chronicle.core";
    private static final String CHRONICLE_BYTES = "chronicle.bytes";

    private static volatile Boolean chronicleAvailable;     // null until looked up; a class path does not change

    private JournalFlags() {}

    /**
     * Whether Chronicle Queue is visible to pyconc: on the class path, or a module of the boot layer.
     * Looks for the class file as a resource; no Chronicle class is loaded.
     */
    public static boolean chronicleAvailable() {
        Boolean known = chronicleAvailable;
        if (known == null) {
            chronicleAvailable = known = lookForChronicle();
        }
        return known;
    }

    private static boolean lookForChronicle() {
        if (ModuleLayer.boot().findModule("chronicle.queue").isPresent()) {
            return true;
        }
        ClassLoader loader = JournalFlags.class.getClassLoader();
        if (loader == null) {
            loader = ClassLoader.getSystemClassLoader();
        }
        return loader.getResource("net/openhft/chronicle/queue/ChronicleQueue.class") != null;
    }

    /** Whether Chronicle runs as named (automatic) modules of the boot layer in this JVM. */
    static boolean onModulePath() {
        return ModuleLayer.boot().findModule(CHRONICLE_CORE).isPresent();
    }

    /**
     * The JVM arguments a child JVM needs to use {@code JournalQueue}: the module flags above for
     * the way Chronicle is deployed in this JVM, and {@code -Dchronicle.analytics.disable=true}
     * unless this JVM set that property to something else. Empty when Chronicle is absent. The
     * Process launcher appends these to every child's command line.
     */
    public static List<String> jvmArgs() {
        if (!chronicleAvailable()) {
            return List.of();
        }
        List<String> args = new ArrayList<>(moduleFlags(onModulePath() ? CHRONICLE_CORE + "," + CHRONICLE_BYTES : "ALL-UNNAMED"));
        args.add("-D" + ANALYTICS_DISABLE + "=" + System.getProperty(ANALYTICS_DISABLE, "true"));
        args.add("-D" + ANNOUNCER_DISABLE + "=" + System.getProperty(ANNOUNCER_DISABLE, "true"));
        return List.copyOf(args);
    }

    /** The module flags for {@code target}: {@code ALL-UNNAMED} or a comma-separated list of modules. */
    public static List<String> moduleFlags(String target) {
        return List.of(
                "--add-opens=java.base/java.lang.reflect=" + target,
                "--add-exports=java.base/sun.nio.ch=" + target,
                "--add-exports=java.base/jdk.internal.ref=" + target);
    }

    /**
     * Turns Chronicle's usage analytics and banner off in this JVM, unless the application set
     * those properties itself. Called before the first Chronicle class is loaded.
     */
    public static void applyDefaults() {
        if (System.getProperty(ANALYTICS_DISABLE) == null) {
            System.setProperty(ANALYTICS_DISABLE, "true");
        }
        if (System.getProperty(ANNOUNCER_DISABLE) == null) {
            System.setProperty(ANNOUNCER_DISABLE, "true");
        }
    }

    /**
     * Checks that this JVM grants Chronicle's {@code module} what it needs, and says which flags
     * to add when it does not.
     *
     * @throws IllegalStateException naming the missing flags
     */
    public static void checkAccess(Module module) {
        Module base = Object.class.getModule();
        String target = module.isNamed() ? module.getName() : "ALL-UNNAMED";
        List<String> missing = new ArrayList<>();
        if (!base.isOpen("java.lang.reflect", module)) {
            missing.add("--add-opens=java.base/java.lang.reflect=" + target);
        }
        if (!base.isExported("sun.nio.ch", module)) {
            missing.add("--add-exports=java.base/sun.nio.ch=" + target);
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("JournalQueue stores its items with Chronicle Queue, which needs these JVM flags: "
                    + String.join(" ", missing) + " (all flags: " + String.join(" ", jvmArgs()) + ")");
        }
    }
}
