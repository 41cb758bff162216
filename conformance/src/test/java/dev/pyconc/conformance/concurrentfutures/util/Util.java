package dev.pyconc.conformance.concurrentfutures.util;

import java.util.List;
import java.util.regex.Pattern;

import dev.pyconc.builtins.OSError;
import dev.pyconc.futures.Future;
import dev.pyconc.futures.ThreadPoolExecutor;
import dev.pyconc.threading.Thread;
import dev.pyconc.threading.Threading;

/**
 * test_concurrent_futures/util.py's futures in each state: {@code PENDING_FUTURE},
 * {@code RUNNING_FUTURE}, ... CPython's {@code create_future(state=...)} writes the private
 * {@code _state}; here each state is reached through the public calls executors make:
 * {@code setRunningOrNotifyCancel()} for RUNNING, {@code cancel()} for CANCELLED, both for
 * CANCELLED_AND_NOTIFIED, {@code setResult} and {@code setException} for FINISHED. Each call
 * returns a new future, where CPython shares one per state across the tests.
 */
public final class Util {
    private Util() {}

    public static Future<Object> pendingFuture() {
        return new Future<>();
    }

    public static Future<Object> runningFuture() {
        Future<Object> f = new Future<>();
        f.setRunningOrNotifyCancel();
        return f;
    }

    public static Future<Object> cancelledFuture() {
        Future<Object> f = new Future<>();
        f.cancel();
        return f;
    }

    public static Future<Object> cancelledAndNotifiedFuture() {
        Future<Object> f = cancelledFuture();
        f.setRunningOrNotifyCancel();
        return f;
    }

    /** A future finished with an {@link OSError}. */
    public static Future<Object> exceptionFuture() {
        Future<Object> f = new Future<>();
        f.setException(new OSError("test"));
        return f;
    }

    /** A future finished with 42. */
    public static Future<Object> successfulFuture() {
        Future<Object> f = new Future<>();
        f.setResult(42);
        return f;
    }

    /**
     * The live worker threads of {@code executor}, CPython's {@code executor._threads}: the threads
     * named {@code <prefix>_<n>} after the prefix its {@code toString()} shows. A worker that has
     * ended is not among them, as {@code Threading.enumerate()} lists live threads only.
     */
    public static List<Thread> threads(ThreadPoolExecutor executor) {
        String s = executor.toString();                      // ThreadPoolExecutor[<prefix>, workers=...]
        String prefix = s.substring(s.indexOf('[') + 1, s.indexOf(", workers="));
        Pattern name = Pattern.compile(Pattern.quote(prefix) + "_\\d+");
        return Threading.enumerate().stream().filter(t -> name.matcher(t.name()).matches()).toList();
    }
}
