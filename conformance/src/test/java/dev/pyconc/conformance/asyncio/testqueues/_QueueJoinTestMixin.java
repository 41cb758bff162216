package dev.pyconc.conformance.asyncio.testqueues;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.asyncio.Queue;
import dev.pyconc.asyncio.Task;
import dev.pyconc.asyncio.TaskGroup;
import dev.pyconc.conformance.asyncio.IsolatedAsyncioTestCase;

/**
 * test_asyncio/test_queues.py's {@code _QueueJoinTestMixin}, run for Queue, LifoQueue and
 * PriorityQueue. Python's ValueError for a task_done() too many is IllegalStateException
 * (docs/exceptions.md: a misuse of a state). CPython's private {@code _format()} is what
 * toString shows inside its brackets.
 */
public abstract class _QueueJoinTestMixin extends IsolatedAsyncioTestCase {

    /** A new queue of the class under test: CPython's {@code self.q_class()}. */
    protected abstract Queue<Integer> qClass();

    /** taskDone() without an unfinished task is IllegalStateException. */
    @Test
    @DisplayName("test_task_done_underflow")
    void testTaskDoneUnderflow() {
        Queue<Integer> q = qClass();
        assertThrows(IllegalStateException.class, q::taskDone);
    }

    /** Two workers take 100 items with taskDone() after each; join() returns when all are done. */
    @Test
    @DisplayName("test_task_done")
    void testTaskDone() {
        run(() -> {
            Queue<Integer> q = qClass();
            for (int i = 0; i < 100; i++) {
                q.putNowait(i);
            }
            int[] accumulator = {0};
            boolean[] running = {true};
            TaskGroup.run(tg -> {
                List<Task<Void>> tasks = new ArrayList<>();
                for (int index = 0; index < 2; index++) {
                    tasks.add(tg.createTask(() -> {
                        while (running[0]) {
                            int item = q.get();
                            accumulator[0] += item;
                            q.taskDone();
                        }
                    }));
                }
                q.join();
                assertEquals(99 * 100 / 2, accumulator[0]);
                running[0] = false;
                for (int i = 0; i < tasks.size(); i++) {
                    q.putNowait(0);
                }
            });
        });
    }

    /** join() of an empty queue returns at once, twice. */
    @Test
    @DisplayName("test_join_empty_queue")
    void testJoinEmptyQueue() {
        run(() -> {
            Queue<Integer> q = qClass();
            q.join();
            q.join();
        });
    }

    /** toString shows maxsize, and the unfinished tasks when there are some. */
    @Test
    @DisplayName("test_format")
    protected void testFormat() {
        run(() -> {
            Queue<Integer> q = qClass();
            String name = q.getClass().getSimpleName();
            assertEquals(name + "[maxsize=0 qsize=0]", q.toString());
            q.putNowait(1);
            q.putNowait(2);
            q.getNowait();
            q.getNowait();            // CPython sets _unfinished_tasks = 2
            assertEquals(name + "[maxsize=0 qsize=0 tasks=2]", q.toString());
        });
    }
}
