package dev.pyconc.asyncio;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pyconc.threading.Threading;

/**
 * The default event loop policy: one current loop per thread, as Python 3.13's
 * {@code asyncio.DefaultEventLoopPolicy}. Subclass it to watch or change what
 * {@link Asyncio#getEventLoop()}, {@link Asyncio#setEventLoop(EventLoop)} and
 * {@link Asyncio#newEventLoop()} do, and install it with {@link Asyncio#setEventLoopPolicy}.
 *
 * <pre> {@code
 * EventLoop loop = Asyncio.newEventLoop();
 * Asyncio.setEventLoop(loop);
 * Future<String> f = new Future<>();          // a future of the current loop, not running yet
 * loop.callSoon(() -> f.setResult("done"));
 * loop.runUntilComplete(f);
 * Asyncio.setEventLoop(null);
 * loop.close();
 * }</pre>
 *
 * <p>{@link #getEventLoop()} returns the loop set in the calling thread. If none was ever set in
 * the thread and it is the main thread ({@link Threading#mainThread()}), it makes one with
 * {@link #newEventLoop()}, sets it with {@link #setEventLoop(EventLoop)} and logs a warning (Python
 * warns with {@code DeprecationWarning}); otherwise, as after {@code setEventLoop(null)}, it throws
 * {@link IllegalStateException} ("There is no current event loop in thread 'NAME'."). The loop is
 * only made current: it runs when the program runs it ({@link EventLoop#runUntilComplete}), and
 * the program closes it.
 *
 * <p>Memory consistency effects: each thread has its own current loop; {@code setEventLoop} and
 * {@code getEventLoop} of one thread see each other in program order, and nothing is shared
 * between threads.
 */
public class DefaultEventLoopPolicy implements AbstractEventLoopPolicy {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultEventLoopPolicy.class);

    /** Python's {@code _Local}: the thread's loop, and whether setEventLoop was called in it. */
    private static final class Local {
        EventLoop loop;
        boolean setCalled;
    }

    private final ThreadLocal<Local> local = ThreadLocal.withInitial(Local::new);

    /*
     * Overview. One ThreadLocal per policy, as Python's policy holds one threading.local: a new
     * policy starts with no loop set in any thread. The running loop never comes here: it is found
     * through EventLoop.current() (the baton's owner) by Asyncio.getEventLoop before the policy
     * is asked, so task steps and callbacks touch no ThreadLocal.
     */

    /** A policy with no loop set in any thread. */
    public DefaultEventLoopPolicy() {}

    /**
     * The current loop of the calling thread; in the main thread, made (and set) the first time
     * when none was ever set there.
     *
     * @throws IllegalStateException "There is no current event loop in thread 'NAME'." otherwise
     */
    @Override
    public EventLoop getEventLoop() {
        Local l = local.get();
        if (l.loop == null && !l.setCalled && Thread.currentThread() == Threading.mainThread().javaThread()) {
            LOG.warn("There is no current event loop: Asyncio.getEventLoop() made one in the main thread "
                    + "and set it as the thread's current loop; make it with Asyncio.newEventLoop() and "
                    + "set it with Asyncio.setEventLoop(loop), or use Asyncio.run(...) (Python's DeprecationWarning)");
            setEventLoop(newEventLoop());
        }
        if (l.loop == null) {
            throw new IllegalStateException("There is no current event loop in thread '"
                    + Threading.currentThread().name() + "'.");
        }
        return l.loop;
    }

    /** Sets the current loop of the calling thread; null: none. */
    @Override
    public void setEventLoop(EventLoop loop) {
        Local l = local.get();
        l.setCalled = true;
        l.loop = loop;
    }

    /** A new event loop, in the debug mode of the environment (see {@link EventLoop#getDebug()}). */
    @Override
    public EventLoop newEventLoop() {
        return new EventLoop();
    }
}
