package dev.pyconc.examples.asyncio;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.CancelledError;
import dev.pyconc.asyncio.Event;
import dev.pyconc.asyncio.EventLoop;
import dev.pyconc.asyncio.Process;
import dev.pyconc.asyncio.Queue;
import dev.pyconc.asyncio.Task;

/**
 * Graceful shutdown on SIGTERM, as a Python service does it with {@code loop.add_signal_handler}:
 * the handler sets an event, the service stops taking work, lets its workers finish what they
 * hold, and exits with its own status instead of the JVM's abrupt one. To end on its own, the
 * example sends itself SIGTERM with {@code kill -TERM} once it has handled a few jobs. Python:
 *
 * <pre>
 * async def main():
 *     loop = asyncio.get_running_loop()
 *     stopping = asyncio.Event()
 *     loop.add_signal_handler(signal.SIGTERM, stopping.set)
 *     jobs = asyncio.Queue()
 *     workers = [asyncio.create_task(worker(n, jobs)) for n in range(2)]
 *     ...                                   # jobs arrive
 *     await stopping.wait()
 *     await jobs.join()                     # finish what was taken
 *     for w in workers: w.cancel()
 *     loop.remove_signal_handler(signal.SIGTERM)
 * </pre>
 */
public final class GracefulShutdownExample {
    private GracefulShutdownExample() {}

    public static void main(String[] args) {
        int status = Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            Event stopping = new Event();
            loop.addSignalHandler(Process.SIGTERM, () -> {
                System.out.println("SIGTERM received: no new jobs; finishing the ones queued");
                stopping.set();
            });
            Queue<Integer> jobs = new Queue<>();
            List<String> done = new ArrayList<>();
            List<Task<Void>> workers = new ArrayList<>();
            for (int n = 0; n < 2; n++) {
                int id = n;
                workers.add(Asyncio.createTask(() -> {
                    for (;;) {
                        int job = jobs.get();
                        Asyncio.sleep(Duration.ofMillis(20));          // the work
                        done.add("job " + job + " by worker " + id);
                        jobs.taskDone();
                    }
                }));
            }
            for (int job = 1; job <= 6; job++) {
                jobs.put(job);
            }
            // A real service waits here for `kill -TERM <pid>` from its supervisor; this one asks for it.
            Asyncio.createSubprocessExec("kill", "-TERM", Long.toString(ProcessHandle.current().pid())).await();
            stopping.await();
            jobs.join();
            for (Task<Void> w : workers) {
                w.cancel();
            }
            for (Task<Void> w : workers) {
                try {
                    w.await();
                } catch (CancelledError expected) {
                    // the worker was idle, waiting for a job
                }
            }
            System.out.println("finished " + done.size() + " jobs: " + done.stream().sorted().toList());
            System.out.println("SIGTERM handler removed: " + loop.removeSignalHandler(Process.SIGTERM));
            return 0;
        });
        System.out.println("stopped gracefully with status " + status);
    }
}
