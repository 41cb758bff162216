package dev.pyconc.multiprocessing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A parent JVM for the tests that need one other than the test JVM: it runs one scenario, named
 * by its first argument, and reports on its standard output in lines "key=value".
 */
public final class ProcessScenarios {
    private ProcessScenarios() {}

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "exception" -> exception();
            case "at-exit" -> atExit(args[1], args[2].equals("System.exit"));
            case "orphans" -> orphans();
            case "spare" -> spare();
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    /** A child whose target throws: its exit code, and (on stderr) the stack trace. */
    private static void exception() {
        Process p = new Process(() -> {
            throw new IllegalStateException("boom from the child");
        }, "thrower");
        p.start();
        p.join();
        System.out.println("exit=" + p.exitCode());
    }

    /**
     * A daemon child that sleeps for ever and a non-daemon child that creates {@code file} after
     * 1 s, writing in it whether this parent still ran; then this JVM ends by returning from main
     * or by System.exit(0).
     */
    private static void atExit(String file, boolean systemExit) {
        Process daemon = Process.builder().target(ProcessScenarios::sleepForever).name("daemon").daemon(true).build();
        daemon.start();
        long parentPid = ProcessHandle.current().pid();
        Process worker = new Process(() -> {
            sleep(1000);
            boolean parentRuns = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L) == parentPid;
            write(file, "parent-ran=" + parentRuns);
        }, "worker");
        worker.start();
        System.out.println("daemon=" + daemon.pid());
        System.out.println("worker=" + worker.pid());
        System.out.flush();
        if (systemExit) {
            System.exit(0);
        }
    }

    /**
     * A daemon child, a non-daemon child, and a child that has a child of its own, all sleeping
     * for ever; then this JVM waits for ever, to be killed.
     */
    private static void orphans() throws Exception {
        Process daemon = Process.builder().target(ProcessScenarios::sleepForever).daemon(true).build();
        Process plain = new Process(ProcessScenarios::sleepForever);
        String grandchildFile = Files.createTempFile("pyconc-grandchild", ".pid").toString();
        Process middle = new Process(() -> {
            Process grandchild = new Process(ProcessScenarios::sleepForever);
            grandchild.start();
            write(grandchildFile, Long.toString(grandchild.pid()));
            sleepForever();
        });
        daemon.start();
        plain.start();
        middle.start();
        String grandchild;
        while ((grandchild = Files.readString(Path.of(grandchildFile))).isEmpty()) {
            Thread.sleep(10);
        }
        Files.delete(Path.of(grandchildFile));
        System.out.println("pids=" + daemon.pid() + "," + plain.pid() + "," + middle.pid() + "," + grandchild);
        System.out.flush();
        sleepForever();
    }

    /** Under forkserver, runs one process, then reports the spare JVM's pid and waits for ever, to be killed. */
    private static void spare() throws InterruptedException {
        Multiprocessing.setStartMethod("forkserver");
        Process p = new Process(() -> {});
        p.start();
        p.join();
        ProcessHandle spare;
        while ((spare = ChildJvm.children().findFirst().orElse(null)) == null) {
            Thread.sleep(10);
        }
        System.out.println("spare=" + spare.pid());
        System.out.flush();
        sleepForever();
    }

    static void sleepForever() {
        sleep(Long.MAX_VALUE);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    static void write(String file, String text) {
        try {
            Path tmp = Path.of(file + ".tmp");
            Files.writeString(tmp, text);
            Files.move(tmp, Path.of(file), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
