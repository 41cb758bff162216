package dev.pyconc.examples.asyncio;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.Task;
import dev.pyconc.asyncio.TaskGroup;
import dev.pyconc.contextvars.ContextVar;

/**
 * A request id carried through tasks by a context variable: each request's handler sets it once,
 * and everything the handler does - the tasks it starts, the blocking call it sends to a thread -
 * logs with that id, while the other requests' handlers interleave on the same loop. Python:
 *
 * <pre>
 * request_id = contextvars.ContextVar("request_id", default="-")
 *
 * def log(msg):
 *     print(f"[{request_id.get()}] {msg}")
 *
 * async def handle(rid):
 *     request_id.set(rid)
 *     async with asyncio.TaskGroup() as tg:
 *         tg.create_task(fetch("user"))
 *         tg.create_task(fetch("orders"))
 *     await asyncio.to_thread(log, "audit written")
 * </pre>
 */
public final class RequestIdExample {
    static final ContextVar<String> REQUEST_ID = new ContextVar<>("request_id", "-");
    static final List<String> MISMATCHES = new ArrayList<>();

    private RequestIdExample() {}

    /** Logs with the current request id (with SLF4J: put it into the MDC here, see ContextVar's javadoc). */
    static void log(String expected, String message) {
        String id = REQUEST_ID.get();
        System.out.printf("  [%s] %s on %s%n", id, message, Thread.currentThread().isVirtual() ? "a task" : "a thread");
        if (!id.equals(expected)) {
            synchronized (MISMATCHES) {
                MISMATCHES.add(expected + " logged as " + id);
            }
        }
    }

    static void fetch(String expected, String what) {
        Asyncio.sleep(Duration.ofMillis(ThreadLocalRandom.current().nextInt(1, 30)));   // other requests run meanwhile
        log(expected, "fetched " + what);
    }

    static String handle(String rid) {
        REQUEST_ID.set(rid);                                   // this handler's task only
        log(rid, "started");
        TaskGroup.run(tg -> {                                  // the group's tasks start with rid
            tg.createTask(() -> fetch(rid, "user"));
            tg.createTask(() -> fetch(rid, "orders"));
        });
        Asyncio.toThread(() -> {                               // to_thread carries the context too
            log(rid, "audit written");
            return null;
        });
        return rid + " done";
    }

    public static void main(String[] args) {
        List<String> results = Asyncio.run(() -> {
            List<Task<String>> handlers = new ArrayList<>();
            for (String rid : List.of("req-1", "req-2", "req-3")) {
                handlers.add(Asyncio.createTask(() -> handle(rid)));
            }
            List<String> done = Asyncio.gather(handlers).await();
            log("-", "all handled; the main task's id was never set");
            return done;
        });
        System.out.println(results);
        if (!MISMATCHES.isEmpty()) {
            System.out.println("wrong ids: " + MISMATCHES);
            System.exit(1);
        }
    }
}
