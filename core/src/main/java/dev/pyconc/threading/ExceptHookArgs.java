package dev.pyconc.threading;

/**
 * What the thread exception hook receives: Python's {@code threading.ExceptHookArgs}.
 *
 * @param excType  the class of the exception
 * @param excValue the exception thrown by the thread's {@code run()}
 * @param thread   the thread it was thrown in
 */
public record ExceptHookArgs(Class<? extends Throwable> excType, Throwable excValue, Thread thread) {
}
