package dev.pyconc.asyncio;

/**
 * What decides the current event loop of a thread and makes new loops: Python's
 * {@code asyncio.AbstractEventLoopPolicy}. {@link Asyncio#getEventLoop()},
 * {@link Asyncio#setEventLoop(EventLoop)} and {@link Asyncio#newEventLoop()} ask the policy set
 * with {@link Asyncio#setEventLoopPolicy}, which is a {@link DefaultEventLoopPolicy} unless the
 * program sets another. A policy is consulted only where no loop runs in the calling thread: in a
 * task body or callback, {@code Asyncio.getEventLoop()} is the running loop.
 *
 * <pre> {@code
 * class CountingPolicy extends DefaultEventLoopPolicy {
 *     int sets;
 *     @Override public void setEventLoop(EventLoop loop) { sets++; super.setEventLoop(loop); }
 * }
 * Asyncio.setEventLoopPolicy(new CountingPolicy());
 * }</pre>
 *
 * <p>Python's child watchers ({@code get_child_watcher}, {@code set_child_watcher}) have no
 * counterpart: the JDK watches child processes.
 *
 * <p>Memory consistency effects: those of the implementation; see {@link DefaultEventLoopPolicy}.
 */
public interface AbstractEventLoopPolicy {

    /**
     * The current event loop of the calling thread (Python's {@code get_event_loop()} of a policy).
     *
     * @throws IllegalStateException if the thread has none and the policy does not make one
     */
    EventLoop getEventLoop();

    /** Sets the current event loop of the calling thread; null: none (Python's {@code set_event_loop}). */
    void setEventLoop(EventLoop loop);

    /** A new event loop (Python's {@code new_event_loop()} of a policy); the caller closes it. */
    EventLoop newEventLoop();
}
