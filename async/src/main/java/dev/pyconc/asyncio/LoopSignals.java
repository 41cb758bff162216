package dev.pyconc.asyncio;

import java.util.ArrayList;
import java.util.concurrent.ConcurrentHashMap;

import sun.misc.SignalHandler;

/**
 * The signal handlers of one loop: Python's {@code loop._signal_handlers}, behind
 * {@link EventLoop#addSignalHandler} and {@link EventLoop#removeSignalHandler}.
 */
final class LoopSignals {
    private final EventLoop loop;
    private final ConcurrentHashMap<Integer, Installed> installed = new ConcurrentHashMap<>();

    /*
     * Overview. The JDK runs a signal's handler on a thread it starts for that signal; ours only
     * posts the loop's callback with callSoonThreadsafe, so the callback runs on the loop, holding
     * the baton, as Python's handler runs from the loop's self-pipe. `installed` is read by those
     * threads and written by the loop's callers (add/remove hold the baton, or the loop is not
     * running), hence concurrent. Adding again for a signal keeps our JDK handler and the one it
     * replaced, and changes only the callback, as Python replaces the handle.
     */

    /** Our JDK handler for a signal, the handler it replaced, and the loop callback it posts. */
    private record Installed(Runnable callback, SignalHandler ours, SignalHandler previous) {
    }

    LoopSignals(EventLoop loop) {
        this.loop = loop;
    }

    void add(int sig, Runnable callback) {
        Installed old = installed.get(sig);
        if (old != null) {
            Signals.uncatchable(sig);
            installed.put(sig, new Installed(callback, old.ours(), old.previous()));
            return;
        }
        SignalHandler ours = s -> deliver(sig);
        SignalHandler previous = Signals.install(sig, ours);
        installed.put(sig, new Installed(callback, ours, previous));
    }

    /** On the JDK's signal thread: run the callback on the loop (nothing when the loop is closed). */
    private void deliver(int sig) {
        Installed i = installed.get(sig);
        if (i == null) {
            return;
        }
        try {
            loop.callSoonThreadsafe(i.callback());
        } catch (IllegalStateException closed) {
            // the loop is closed: its handlers are being restored
        }
    }

    boolean remove(int sig) {
        Signals.uncatchable(sig);            // IllegalArgumentException for a number that is no signal
        Installed i = installed.remove(sig);
        if (i == null) {
            return false;
        }
        SignalHandler current = Signals.restore(sig, i.previous());
        if (current != i.ours()) {
            Signals.restore(sig, current);   // someone else's handler is in: leave it
        }
        return true;
    }

    /** The loop closes: every handler it installed gives way to the one it replaced. */
    void removeAll() {
        for (Integer sig : new ArrayList<>(installed.keySet())) {
            try {
                remove(sig);
            } catch (RuntimeException e) {
                EventLoop.LOG.warn("could not restore the handler of {} when closing {}", Signals.name(sig), loop, e);
            }
        }
    }
}
