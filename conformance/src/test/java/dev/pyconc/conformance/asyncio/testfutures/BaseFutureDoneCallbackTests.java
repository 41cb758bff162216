package dev.pyconc.conformance.asyncio.testfutures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.asyncio.Future;
import dev.pyconc.conformance.asyncio.IsolatedAsyncioTestCase;

/**
 * test_asyncio/test_futures.py's {@code BaseFutureDoneCallbackTests}, run once by
 * {@link PyFutureDoneCallbackTests} (see {@link PyFutureTests}). {@code run_briefly} is a
 * {@code sleep(0)} of the test's task.
 */
public abstract class BaseFutureDoneCallbackTests extends IsolatedAsyncioTestCase {

    protected abstract Future<String> newFuture();

    private static Consumer<Future<String>> makeCallback(List<Integer> bag, int thing) {
        return f -> bag.add(thing);
    }

    private void removeAndRun(List<Integer> removals, List<Integer> expected) {
        run(() -> {
            List<Integer> bag = new ArrayList<>();
            Future<String> f = newFuture();
            List<Consumer<Future<String>>> cb = List.of(makeCallback(bag, 42), makeCallback(bag, 17), makeCallback(bag, 100));
            for (Consumer<Future<String>> c : cb) {
                f.addDoneCallback(c);
            }
            for (int i : removals) {
                f.removeDoneCallback(cb.get(i));
            }
            assertEquals(List.of(), bag);
            f.setResult("foo");
            sleep0();
            assertEquals(expected, bag);
            assertEquals("foo", f.result());
        });
    }

    /** Removing the first callback (twice) leaves the others to run. */
    @Test
    @DisplayName("test_callbacks_remove_first_callback")
    void testCallbacksRemoveFirstCallback() {
        removeAndRun(List.of(0, 0), List.of(17, 100));
    }

    /** Removing the first and the second leaves the third. */
    @Test
    @DisplayName("test_callbacks_remove_first_and_second_callback")
    void testCallbacksRemoveFirstAndSecondCallback() {
        removeAndRun(List.of(0, 1, 0), List.of(100));
    }

    /** Removing the third (twice) leaves the first two. */
    @Test
    @DisplayName("test_callbacks_remove_third_callback")
    void testCallbacksRemoveThirdCallback() {
        removeAndRun(List.of(2, 2), List.of(42, 17));
    }

    /** setResult runs the callbacks in order, soon. */
    @Test
    @DisplayName("test_callbacks_invoked_on_set_result")
    void testCallbacksInvokedOnSetResult() {
        run(() -> {
            List<Integer> bag = new ArrayList<>();
            Future<String> f = newFuture();
            f.addDoneCallback(makeCallback(bag, 42));
            f.addDoneCallback(makeCallback(bag, 17));
            assertEquals(List.of(), bag);
            f.setResult("foo");
            sleep0();
            assertEquals(List.of(42, 17), bag);
            assertEquals("foo", f.result());
        });
    }

    /** setException runs the callbacks too. */
    @Test
    @DisplayName("test_callbacks_invoked_on_set_exception")
    void testCallbacksInvokedOnSetException() {
        run(() -> {
            List<Integer> bag = new ArrayList<>();
            Future<String> f = newFuture();
            f.addDoneCallback(makeCallback(bag, 100));
            assertEquals(List.of(), bag);
            IllegalStateException exc = new IllegalStateException();
            f.setException(exc);
            sleep0();
            assertEquals(List.of(100), bag);
            assertSame(exc, f.exception());
        });
    }

    /** removeDoneCallback removes every instance of a callback and returns how many. */
    @Test
    @DisplayName("test_remove_done_callback")
    void testRemoveDoneCallback() {
        run(() -> {
            List<Integer> bag = new ArrayList<>();
            Future<String> f = newFuture();
            Consumer<Future<String>> cb1 = makeCallback(bag, 1);
            Consumer<Future<String>> cb2 = makeCallback(bag, 2);
            Consumer<Future<String>> cb3 = makeCallback(bag, 3);
            f.addDoneCallback(cb1);
            f.addDoneCallback(cb2);
            assertEquals(1, f.removeDoneCallback(cb2));
            assertEquals(0, f.removeDoneCallback(cb3));
            f.addDoneCallback(cb2);
            for (int i = 0; i < 5; i++) {
                f.addDoneCallback(cb1);
            }
            assertEquals(6, f.removeDoneCallback(cb1));
            assertEquals(List.of(), bag);
            f.setResult("foo");
            sleep0();
            assertEquals(List.of(2), bag);
            assertEquals("foo", f.result());
        });
    }

    /** bpo-28963: a callback that removes other callbacks while the callbacks are scheduled. */
    @Test
    @DisplayName("test_schedule_callbacks_list_mutation_1")
    void testScheduleCallbacksListMutation1() {
        run(() -> {
            List<String> ran = new ArrayList<>();
            Consumer<Future<String>> str = f -> ran.add("str");
            Future<String> fut = newFuture();
            fut.addDoneCallback(f -> f.removeDoneCallback(str));
            fut.addDoneCallback(str);
            fut.addDoneCallback(str);
            fut.setResult("1");
            sleep0();
            assertEquals(List.of("str", "str"), ran);      // scheduled before the removal ran
        });
    }

    /**
     * A callback whose equals() runs {@code action}: CPython's {@code evil} with its {@code __eq__}.
     * pyconc compares callbacks by identity, so no code of the caller runs while the list is
     * walked; the Java form checks that, and that the list is whole afterwards.
     */
    private static final class Evil implements Consumer<Future<String>> {
        final Runnable action;
        int calls;

        Evil(Runnable action) {
            this.action = action;
        }

        @Override
        public void accept(Future<String> f) {}

        @Override
        public boolean equals(Object other) {
            calls++;
            action.run();
            return false;
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }

    /** Sixty-four callbacks after one that runs; the count of those that ran after setResult. */
    private static int runCallbacks(Future<String> fut, List<String> ran) {
        fut.setResult("done");
        sleep0();
        return ran.size();
    }

    /** bpo-28963: removing a callback whose equals() removes others does not corrupt the list. */
    @Test
    @DisplayName("test_remove_done_callbacks_list_mutation")
    void testRemoveDoneCallbacksListMutation() {
        run(() -> {
            List<String> ran = new ArrayList<>();
            Future<String> fut = newFuture();
            Consumer<Future<String>> str = f -> ran.add("str");
            Consumer<Future<String>> id = f -> ran.add("id");
            fut.addDoneCallback(str);
            for (int i = 0; i < 63; i++) {
                fut.addDoneCallback(id);
            }
            Evil evil = new Evil(() -> fut.removeDoneCallback(id));
            assertEquals(0, fut.removeDoneCallback(evil));
            assertEquals(0, evil.calls);
            assertEquals(64, runCallbacks(fut, ran));
        });
    }

    /** gh-97592: removing a callback whose equals() removes the one it is compared with. */
    @Test
    @DisplayName("test_remove_done_callbacks_list_clear")
    void testRemoveDoneCallbacksListClear() {
        run(() -> {
            List<String> ran = new ArrayList<>();
            Future<String> fut = newFuture();
            Consumer<Future<String>> str = f -> ran.add("str");
            Consumer<Future<String>> id = f -> ran.add("id");
            fut.addDoneCallback(str);
            for (int i = 0; i < 63; i++) {
                fut.addDoneCallback(id);
            }
            Evil evil = new Evil(() -> {
                fut.removeDoneCallback(str);
                fut.removeDoneCallback(id);
            });
            assertEquals(0, fut.removeDoneCallback(evil));
            assertEquals(0, evil.calls);
            assertEquals(64, runCallbacks(fut, ran));
        });
    }

    /** bpo-30828: removing a callback whose equals() adds callbacks. */
    @Test
    @DisplayName("test_schedule_callbacks_list_mutation_2")
    void testScheduleCallbacksListMutation2() {
        run(() -> {
            List<String> ran = new ArrayList<>();
            Future<String> fut = newFuture();
            Consumer<Future<String>> id = f -> ran.add("id");
            fut.addDoneCallback(f -> ran.add("str"));
            for (int i = 0; i < 63; i++) {
                fut.addDoneCallback(id);
            }
            int maxExtraCbs = 100;
            int[] extraCbs = {0};
            Evil evil = new Evil(() -> {
                extraCbs[0]++;
                if (extraCbs[0] < maxExtraCbs) {
                    fut.addDoneCallback(id);
                }
            });
            assertEquals(0, fut.removeDoneCallback(evil));
            assertEquals(0, evil.calls);
            assertEquals(64, runCallbacks(fut, ran));
        });
    }
}
