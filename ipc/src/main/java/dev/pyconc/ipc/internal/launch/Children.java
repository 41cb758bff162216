package dev.pyconc.ipc.internal.launch;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The child processes this JVM started and has not yet seen end (Python's
 * {@code multiprocessing.process._children}).
 */
public final class Children {
    private static final Set<Popen> LIVE = ConcurrentHashMap.newKeySet();

    private Children() {}

    static void add(Popen popen) {
        LIVE.add(popen);
    }

    static void remove(Popen popen) {
        LIVE.remove(popen);
    }

    /**
     * The children that are still running; those that ended are polled, which records their exit
     * codes and removes them (Python's {@code active_children()}, which joins finished children).
     */
    public static List<Popen> active() {
        List<Popen> alive = new ArrayList<>();
        for (Popen p : LIVE) {
            if (p.poll() == null) {
                alive.add(p);
            }
        }
        return alive;
    }
}
