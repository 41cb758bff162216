package dev.pyconc.stress.gil;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.Signal;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import dev.pyconc.core.internal.GilRuntime;
import dev.pyconc.gil.Gil;

/**
 * The GIL: attached threads exclude each other between checkpoints, see each other's writes, and
 * a thread spinning on checkpoints hands the GIL over when another asks for it.
 */
public class GilTest {

    /** Turns GIL mode on for this JVM, from a thread that then detaches so that it holds nothing. */
    static final class On {
        private static boolean done;     // guarded by On.class

        static synchronized void ensure() {
            if (done) {
                return;
            }
            java.lang.Thread enabler = java.lang.Thread.ofPlatform().start(() -> {
                GilRuntime.enable();
                GilRuntime.detach();
            });
            try {
                enabler.join();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            done = true;
        }
    }

    /** Two attached actors read-modify-write a plain field without a checkpoint between: never both see 1. */
    @JCStressTest
    @Outcome(id = {"1, 2", "2, 1"}, expect = ACCEPTABLE, desc = "The GIL excludes: one ran after the other")
    @Outcome(id = "1, 1",           expect = FORBIDDEN,  desc = "Both attached threads ran between checkpoints at once")
    @Outcome(                       expect = FORBIDDEN,  desc = "Impossible value")
    @State
    public static class Mutex {
        private int value;

        public Mutex() {
            On.ensure();
        }

        @Actor
        public void actor1(II_Result r) {
            try (var _ = Gil.attach()) {
                r.r1 = ++value;
            }
        }

        @Actor
        public void actor2(II_Result r) {
            try (var _ = Gil.attach()) {
                r.r2 = ++value;
            }
        }
    }

    /** What one attached thread wrote before dropping the GIL is seen whole by the next holder. */
    @JCStressTest
    @Outcome(id = {"0, 0", "1, 1"}, expect = ACCEPTABLE, desc = "The reader held the GIL before or after the writer")
    @Outcome(id = {"1, 0", "0, 1"}, expect = FORBIDDEN,  desc = "The reader saw half of the writer's turn")
    @Outcome(                       expect = FORBIDDEN,  desc = "Impossible value")
    @State
    public static class Visibility {
        private int x;
        private int y;

        public Visibility() {
            On.ensure();
        }

        @Actor
        public void writer() {
            try (var _ = Gil.attach()) {
                x = 1;
                y = 1;
            }
        }

        @Actor
        public void reader(II_Result r) {
            try (var _ = Gil.attach()) {
                r.r1 = y;
                r.r2 = x;
            }
        }
    }

    /**
     * A holder that spins on checkpoints is made to drop the GIL by a waiter's drop request: the
     * waiter gets the GIL and sets the flag the spinner waits for.
     */
    @JCStressTest(Mode.Termination)
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "Forced switching handed the GIL over")
    @Outcome(id = "STALE",      expect = FORBIDDEN,  desc = "The spinner kept the GIL: the waiter starves")
    @Outcome(                   expect = FORBIDDEN,  desc = "Impossible outcome")
    @State
    public static class ForcedSwitch {
        private boolean flag;    // written and read only holding the GIL

        public ForcedSwitch() {
            On.ensure();
        }

        @Actor
        public void spinner() {
            try (var _ = Gil.attach()) {
                while (!flag) {
                    Gil.checkpoint();
                }
            }
        }

        @Signal
        public void waiter() {
            try (var _ = Gil.attach()) {
                flag = true;
            }
        }
    }
}
