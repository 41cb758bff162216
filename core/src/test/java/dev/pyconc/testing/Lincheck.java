package dev.pyconc.testing;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;

import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.StressOptions;

/**
 * The one configuration of pyconc's linearizability tests (classes named {@code *LincheckTest}).
 * Lincheck runs a class's {@code @Operation} methods in generated scenarios of a few threads and
 * checks that every outcome is one a sequential execution of the specification class would give,
 * a specification built on a {@code java.util} collection.
 *
 * <p>The model checker explores thread interleavings at every access to a field or array of the
 * code under test, including {@code java.util.concurrent.locks} on which core's primitives are
 * built. It fakes {@code System.nanoTime}, so only {@code Duration.ZERO} timeouts can be checked
 * (a real timeout spins forever and is reported as a hang). A call that blocks until another
 * thread acts ({@code get()}, {@code acquire()}, {@code await()}) hangs when a generated scenario
 * gives it no partner, so such calls are not operations: {@link #scenario} writes the scenarios
 * they run in, with as many items or permits as they wait for, and a call that can never return
 * there is reported as a hang (a Condition's waiter that misses its signal, a release that frees
 * fewer permits than it says). The model checker lets a parked thread wake spuriously, so an
 * unpark missing before a loop that checks its state again is not seen: the jcstress tests in
 * termination mode find those.
 *
 * <p>Stress mode runs the threads for real, without instrumenting the code under test: it serves
 * code the model checker cannot follow, memory-segment accesses (which it does not see, so that
 * calls run as if atomic) and futex waits.
 *
 * <p>The sizes keep every Lincheck test to a few seconds on two cores; they still fail a queue
 * whose putNowait checks for room and adds in two critical sections, a semaphore whose release
 * loses an update, a queue whose put does not wake a lone waiting get, and a ring whose producers
 * take no lock. A longer run:
 * {@code mvn -pl core,ipc -am test -Dtest='*LincheckTest' -Dsurefire.failIfNoSpecifiedTests=false
 * -Dpyconc.lincheck.iterations=100 -Dpyconc.lincheck.invocations=1000
 * -Dpyconc.lincheck.stressInvocations=1000}.
 */
public final class Lincheck {
    /** Generated scenarios per test: {@code -Dpyconc.lincheck.iterations=N} for a longer run. */
    public static final int ITERATIONS = Integer.getInteger("pyconc.lincheck.iterations", 10);
    /** Interleavings the model checker runs of each scenario: {@code -Dpyconc.lincheck.invocations=N}. */
    public static final int INVOCATIONS = Integer.getInteger("pyconc.lincheck.invocations", 100);
    /** Runs of each scenario in stress mode: {@code -Dpyconc.lincheck.stressInvocations=N}. */
    public static final int STRESS_INVOCATIONS = Integer.getInteger("pyconc.lincheck.stressInvocations", 50);

    private Lincheck() {}

    /** Model checking of {@code spec}'s behaviour: threads of three calls, with one before and one after. */
    public static ModelCheckingOptions modelChecking(Class<?> spec) {
        return new ModelCheckingOptions()
                .iterations(ITERATIONS)
                .invocationsPerIteration(INVOCATIONS)
                .threads(2)
                .actorsBefore(1)
                .actorsPerThread(3)
                .actorsAfter(1)
                .sequentialSpecification(spec);
    }

    /** Stress testing of {@code spec}'s behaviour, with the shape of {@link #modelChecking}. */
    public static StressOptions stress(Class<?> spec) {
        return new StressOptions()
                .iterations(ITERATIONS)
                .invocationsPerIteration(STRESS_INVOCATIONS)
                .threads(2)
                .actorsBefore(1)
                .actorsPerThread(3)
                .actorsAfter(1)
                .sequentialSpecification(spec);
    }

    /**
     * A scenario whose threads run the given calls, in parallel, with nothing before or after:
     * {@code scenario(thread(call(T.class, "put", 1)), thread(call(T.class, "get")))}.
     */
    @SafeVarargs
    public static ExecutionScenario scenario(List<Actor>... threads) {
        return new ExecutionScenario(List.of(), List.of(threads), List.of(), null);
    }

    /** A scenario that runs {@code before} alone, then the threads in parallel. */
    @SafeVarargs
    public static ExecutionScenario scenarioAfter(List<Actor> before, List<Actor>... threads) {
        return new ExecutionScenario(before, List.of(threads), List.of(), null);
    }

    /** One thread of a {@link #scenario}: its calls in order. */
    public static List<Actor> thread(Actor... calls) {
        return List.of(calls);
    }

    /** A call of the public method {@code name} of {@code test} that takes {@code args.length} arguments. */
    public static Actor call(Class<?> test, String name, Object... args) {
        for (Method m : test.getMethods()) {
            if (m.getName().equals(name) && m.getParameterCount() == args.length) {
                return new Actor(m, Arrays.asList(args));
            }
        }
        throw new IllegalArgumentException(test.getName() + " has no public method " + name + " of " + args.length + " arguments");
    }
}
