package dev.pyconc.core.internal;

/** What the executors of every module need to know about threads at JVM exit. */
public final class Threads {
    private Threads() {}

    /**
     * Whether {@code t} is itself in {@code System.exit}, {@code Runtime.exit} or {@code halt}:
     * a shutdown hook must not wait for such a thread, which waits for the hooks.
     */
    public static boolean isExiting(Thread t) {
        for (StackTraceElement frame : t.getStackTrace()) {
            if ("java.lang.Shutdown".equals(frame.getClassName()) || ("java.lang.Runtime".equals(frame.getClassName())
                    && ("exit".equals(frame.getMethodName()) || "halt".equals(frame.getMethodName())))) {
                return true;
            }
        }
        return false;
    }
}
