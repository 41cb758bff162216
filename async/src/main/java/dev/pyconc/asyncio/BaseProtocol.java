package dev.pyconc.asyncio;

/**
 * The callbacks every protocol has: Python's {@code asyncio.BaseProtocol}. A protocol is the
 * application's side of a connection; its transport calls it. Implement {@link Protocol},
 * {@link BufferedProtocol}, {@link DatagramProtocol} or {@link SubprocessProtocol}, overriding
 * only the callbacks you need (every method has an empty default, as Python's base classes do).
 *
 * <pre> {@code
 * class Quiet implements Protocol {
 *     public void connectionLost(Exception exc) {
 *         System.out.println(exc == null ? "closed" : "lost: " + exc);
 *     }
 * }
 * }</pre>
 *
 * <p>Every callback runs on the loop's thread, holding the loop's baton, in Python's order:
 * {@code connectionMade} first, then the data callbacks, then {@code connectionLost} exactly once.
 * A callback must not block (as a Python callback must not): hand long work to a task with
 * {@link EventLoop#createTask}. An exception thrown by a data callback goes to the loop's
 * exception handler and closes the transport, as in Python.
 *
 * <p>Memory consistency effects: each callback sees every write made by the callbacks and task
 * steps of its loop that ran before it (see the package's Memory Visibility).
 */
public interface BaseProtocol {
    /**
     * The connection is closed or lost: Python's {@code connection_lost(exc)}. {@code exc} is
     * {@code null} on a regular end of file or a close, else what ended it.
     */
    default void connectionLost(Exception exc) {
    }

    /** The transport's write buffer went above its high-water mark: Python's {@code pause_writing}. */
    default void pauseWriting() {
    }

    /** The transport's write buffer drained to its low-water mark: Python's {@code resume_writing}. */
    default void resumeWriting() {
    }
}
