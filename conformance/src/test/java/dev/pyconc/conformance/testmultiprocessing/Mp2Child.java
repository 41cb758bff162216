package dev.pyconc.conformance.testmultiprocessing;

import java.util.List;

import dev.pyconc.multiprocessing.Pool;
import dev.pyconc.testing.ChildJvm;

/**
 * The child JVM of the tests that run a program of their own: CPython's {@code python -c}
 * scripts. The argument names the script.
 */
final class Mp2Child {
    /** The pool of {@code pool_in_global}, referenced until the program ends (CPython's {@code problem}). */
    static Pool problem;

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

    public static void main(String[] args) {
        switch (args[0]) {
            case "pool_in_global" -> {
                problem = new Pool(1);
                System.out.println(problem.map((Integer x) -> (double) x, Mp2Support.range(10)));
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }
}
