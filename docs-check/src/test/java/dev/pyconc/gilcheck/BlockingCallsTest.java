package dev.pyconc.gilcheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.pyconc.gil.Gil;

/**
 * Every public blocking call of core, ipc and async drops the GIL while it blocks, as CPython's
 * blocking calls release the GIL: found by reflection (every public method of their public
 * packages whose name is a blocking call's, {@link #BLOCKING}), each must have a {@link Case} in
 * {@link CoreScenarios}, {@link IpcScenarios} or {@link AsyncScenarios} that makes it block in a
 * thread holding the GIL while {@link GilProbe} checks that another thread takes the GIL, or be
 * listed there as not blocking, or as waiting only for a step no case can hold open, with the
 * reason. A new blocking method without a case fails {@link #everyBlockingCallHasACase()} with
 * its name.
 */
class BlockingCallsTest {
    /** The names of the calls that wait: Python's, in pyconc's spelling, and pyconc's own. */
    static final Pattern BLOCKING = Pattern.compile(String.join("|",
            "acquire", "enter", "reacquire", "await", "waitFor", "wait", "get", "put", "join", "result",
            "exception", "recv", "recvBytes", "recvBytesInto", "poll", "send", "sendBytes", "sendException",
            "sendSignal", "receive", "map", "imap", "imapUnordered", "starmap", "apply", "next", "asCompleted",
            "sleep", "toThread", "run", "call", "runUntilComplete", "runForever", "shutdownDefaultExecutor",
            "read", "readline", "readexactly", "readuntil", "drain", "waitClosed", "serveForever",
            "communicate", "shutdown", "close", "terminate", "joinThread", "hasNext", "start", "startServer",
            "openConnection", "createSubprocessExec", "createSubprocessShell"));

    /**
     * Runs only the cases whose name (method and label) this finds, to look at one call:
     * {@code -Dpyconc.gilcheck.only='Pool\\.terminate'}; all by default.
     */
    private static final Pattern ONLY = Pattern.compile(System.getProperty("pyconc.gilcheck.only", ""));

    private static final Scenarios SCENARIOS = new Scenarios();

    static {
        CoreScenarios.register(SCENARIOS);
        IpcScenarios.register(SCENARIOS);
        AsyncScenarios.register(SCENARIOS);
    }

    /** The directory of the cases' segments (the build names one of its own), made 0700 if missing. */
    @BeforeAll
    static void segmentDirectory() throws IOException {
        Path dir = Path.of(System.getProperty("pyconc.shm.dir", "/dev/shm"));
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
    }

    @AfterAll
    static void closeShared() {
        IpcScenarios.close();
        AsyncScenarios.close();
    }

    /** Every public method named as a blocking call has a case or a reason, in one list; every entry names one. */
    @Test
    void everyBlockingCallHasACase() {
        TreeSet<String> found = PublicApi.methods(BLOCKING);
        Map<String, Set<String>> lists = Map.of("a case", SCENARIOS.cases().keySet(),
                "not blocking", SCENARIOS.notBlocking().keySet(), "waiting briefly", SCENARIOS.brief().keySet());
        TreeSet<String> listed = new TreeSet<>();
        TreeSet<String> twice = new TreeSet<>();
        for (Set<String> list : lists.values()) {
            for (String m : list) {
                if (!listed.add(m)) {
                    twice.add(m);
                }
            }
        }
        TreeSet<String> missing = new TreeSet<>(found);
        missing.removeAll(listed);
        TreeSet<String> stale = new TreeSet<>(listed);
        stale.removeAll(found);
        assertEquals("", (missing.isEmpty() ? "" : "blocking calls without a case (add one, or the reason they never wait): "
                + String.join(", ", missing) + "\n")
                + (stale.isEmpty() ? "" : "listed but not public methods named as blocking calls: " + String.join(", ", stale) + "\n")
                + (twice.isEmpty() ? "" : "in more than one of the lists (a case, not blocking, waiting briefly): "
                        + String.join(", ", twice)));
        assertTrue(found.size() > 200, "reflection found only " + found.size() + " blocking calls");
        System.out.println("blocking calls with a case, by module: " + perModule(SCENARIOS.cases().keySet())
                + "; not blocking: " + perModule(SCENARIOS.notBlocking().keySet())
                + "; waiting briefly: " + perModule(SCENARIOS.brief().keySet()));
    }

    /** With GIL mode on, each case's call lets another thread take the GIL while it blocks, and returns once unblocked. */
    @Test
    void everyBlockingCallDropsTheGil() {
        List<String> problems = new ArrayList<>();
        Map<String, Long> times = new HashMap<>();
        List<String> names = new ArrayList<>();
        List<Supplier<Case>> cases = new ArrayList<>();
        SCENARIOS.cases().forEach((method, ways) -> ways.forEach((label, c) -> {
            String name = method + (label.isEmpty() ? "" : " " + label);
            if (ONLY.matcher(name).find()) {
                names.add(name);
                cases.add(c);
            }
        }));
        assertTrue(!cases.isEmpty(), "no case matches -Dpyconc.gilcheck.only=" + ONLY);
        inGilMode(() -> {
            for (int i = 0; i < cases.size(); i++) {
                String name = names.get(i);
                String problem;
                long start = System.nanoTime();
                try {
                    problem = GilProbe.check(cases.get(i).get());
                } catch (RuntimeException | AssertionError failure) {
                    problem = "the case failed: " + failure;
                }
                times.put(name, (System.nanoTime() - start) / 1_000_000);
                if (problem != null) {
                    problems.add(name + ": " + problem);
                    if (problem.endsWith(GilProbe.NOT_RETURNED)) {
                        // Its thread may hold the GIL for ever: no later probe could tell anything,
                        // and this thread could not take the GIL back. GIL mode off frees them all.
                        Gil.disable();
                        if (i + 1 < cases.size()) {
                            problems.add("(the " + (cases.size() - i - 1) + " cases after it were not run: its thread may hold the GIL)");
                        }
                        break;
                    }
                }
            }
        });
        System.out.println(times.size() + " cases in " + times.values().stream().mapToLong(Long::longValue).sum()
                + " ms; the slowest: " + times.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(5).map(t -> t.getKey() + " " + t.getValue() + " ms").toList());
        assertEquals("", String.join("\n", problems));
    }

    /** "core 60, ipc 80, async 50": how many of {@code methods} each module declares. */
    private static String perModule(Set<String> methods) {
        Map<String, Integer> counts = new TreeMap<>();
        for (String m : methods) {
            String pkg = m.substring("dev.pyconc.".length());
            String module = pkg.startsWith("multiprocessing") ? "ipc" : pkg.startsWith("asyncio") ? "async" : "core";
            counts.merge(module, 1, Integer::sum);
        }
        return counts.toString();
    }

    /** The probe tells a call that keeps the GIL while it blocks, and a case whose call does not block. */
    @Test
    void theProbeCanFail() {
        inGilMode(() -> {
            CountDownLatch latch = new CountDownLatch(1);       // a JDK wait, which knows nothing of the GIL
            Duration bound = Duration.ofSeconds(1);
            String kept = GilProbe.check(Case.ofVoid(latch::await).unblock(latch::countDown), bound);
            assertEquals("kept the GIL while it blocked: another thread could not take it within PT1S", kept);
            String notBlocking = GilProbe.check(Case.of(() -> 7).returns(7));
            assertEquals("returned before it was unblocked, so the case does not make it block", notBlocking);
            var ev = new dev.pyconc.threading.Event();
            assertEquals("expected it to return false but it returned true",
                    GilProbe.check(Case.of(ev::await).unblock(ev::set).returns(false)));
            var ev2 = new dev.pyconc.threading.Event();
            assertNull(GilProbe.check(Case.of(ev2::await).unblock(ev2::set).returns(true)));
        });
    }

    /** Runs {@code body} in GIL mode with a switch interval no probe outlasts, the calling thread not holding the GIL. */
    private static void inGilMode(Runnable body) {
        Duration interval = Gil.getSwitchInterval();
        boolean wasOn = Gil.isEnabled();
        Gil.setSwitchInterval(GilProbe.SWITCH_INTERVAL);
        Gil.enable();
        try {
            Gil.allowThreads(body);
        } finally {
            if (!wasOn) {
                Gil.disable();
            }
            Gil.setSwitchInterval(interval);
        }
    }
}
