package dev.pyconc.conformance.testmultiprocessing;

import java.util.List;

import dev.pyconc.multiprocessing.Pool;
import dev.pyconc.multiprocessing.sharedmemory.SharedMemory;
import dev.pyconc.testing.ChildJvm;

/**
 * The child JVM of the tests that run a program of their own: CPython's {@code python -c}
 * scripts. The argument names the script.
 */
final class Mp2Child {
    /** The pool of {@code pool_in_global}, referenced until the program ends (CPython's {@code problem}). */
    static Pool problem;

    /** The resources of {@code create_two_resources_and_sleep}, kept reachable. */
    static List<Object> resources;

    private Mp2Child() {}

    /** Runs {@code script} in a child JVM that keeps its segments where this one does, and waits for it. */
    static ChildJvm.Result run(String script, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = script;
        System.arraycopy(args, 0, all, 1, args.length);
        return ChildJvm.run(Mp2Child.class,
                List.of("--enable-native-access=ALL-UNNAMED", "-Dpyconc.shm.dir=" + System.getProperty("pyconc.shm.dir", "/dev/shm")),
                all);
    }

    /**
     * Starts {@code script} in a child JVM of its own (a process tree of its own, as CPython's
     * {@code subprocess.Popen([sys.executable, ...])}), its output piped to the caller.
     */
    static java.lang.Process start(String script, String... args) throws java.io.IOException {
        List<String> command = new java.util.ArrayList<>(List.of(
                java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED",
                "-Dpyconc.shm.dir=" + System.getProperty("pyconc.shm.dir", "/dev/shm"),
                "-cp", System.getProperty("java.class.path"), Mp2Child.class.getName(), script));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    public static void main(String[] args) {
        switch (args[0]) {
            case "pool_in_global" -> {
                problem = new Pool(1);
                System.out.println(problem.map((Integer x) -> (double) x, Mp2Support.range(10)));
            }
            case "create_shared_memory_and_sleep" -> {
                // Create a shared_memory segment, and send the segment name
                SharedMemory sm = SharedMemory.create(10);
                System.out.println(sm.name());
                System.out.flush();
                Mp2Support.sleep(java.time.Duration.ofSeconds(100));
            }
            case "create_two_resources_and_sleep" -> {
                if (args[1].equals("shared_memory")) {
                    SharedMemory sm1 = SharedMemory.create(10);
                    SharedMemory sm2 = SharedMemory.create(10);
                    System.out.println(sm1.name());
                    System.out.println(sm2.name());
                    resources = List.of(sm1, sm2);
                } else {
                    resources = List.of(new dev.pyconc.multiprocessing.Lock(), new dev.pyconc.multiprocessing.Lock());
                    System.out.println("ready");
                }
                System.out.flush();
                Mp2Support.sleep(java.time.Duration.ofSeconds(100));
            }
            case "attach_untracked_and_close" -> {
                SharedMemory mem = new SharedMemory(args[1], false, 0, false);
                mem.close();
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }
}
