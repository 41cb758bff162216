package dev.pyconc.ipc.internal.shm;

import java.util.ArrayList;

/**
 * The references that handles take while an item is encoded for a channel (a queue's put, a pipe's
 * send, a process's start), so that they are given back when the item does not go out after all:
 * the codec refused it, the queue was full or shut down, the pipe broken, the launch failed. A
 * handle that is about to travel counts one reference ({@link References#retain}) and registers
 * how to give it back with {@link #taken}; the channel brackets the encoding and the hand-over with
 * {@link #begin()} and {@link #end(int, boolean)}. Outside such a bracket (a user serializing an
 * object himself) nothing is registered and the reference travels with the bytes.
 *
 * <pre> {@code
 * int mark = InFlight.begin();
 * boolean sent = false;
 * try {
 *     byte[] bytes = encode(item);          // handles inside call InFlight.taken(...)
 *     ring.offer(bytes);                    // throws when the queue is full
 *     sent = true;
 * } finally {
 *     InFlight.end(mark, sent);             // not sent: the handles' references are given back
 * }
 * }</pre>
 *
 * <p>Memory consistency effects: none of its own; the state is per thread.
 */
public final class InFlight {
    private static final ThreadLocal<InFlight> CURRENT = ThreadLocal.withInitial(InFlight::new);

    private final ArrayList<Runnable> undo = new ArrayList<>();
    private int depth;
    private ArrayList<Runnable> opened;      // while closeReceived runs: how to close what handles opened

    private InFlight() {}

    /** Opens a bracket on this thread and returns its mark, for {@link #end}. */
    public static int begin() {
        InFlight s = CURRENT.get();
        s.depth++;
        return s.undo.size();
    }

    /**
     * Closes the bracket opened at {@code mark}: when the item went out ({@code sent}), its handles'
     * references travel with it; otherwise they are given back.
     */
    public static void end(int mark, boolean sent) {
        InFlight s = CURRENT.get();
        s.depth--;
        ArrayList<Runnable> u = s.undo;
        if (!sent) {
            for (int i = u.size() - 1; i >= mark; i--) {
                try {
                    u.get(i).run();
                } catch (RuntimeException e) {
                    org.slf4j.LoggerFactory.getLogger(InFlight.class).warn("giving back a handle's reference failed", e);
                }
            }
        }
        u.subList(mark, u.size()).clear();
    }

    /** A handle took a reference that {@code giveBack} returns; kept only inside a bracket. */
    public static void taken(Runnable giveBack) {
        InFlight s = CURRENT.get();
        if (s.depth > 0) {
            s.undo.add(giveBack);
        }
    }

    /**
     * Runs {@code decode}, which decodes items that nobody will read (what a queue or pipe still
     * holds when its last reference goes), and closes every object that a handle among them opened
     * meanwhile, so that those handles give back what they hold.
     */
    public static void closeReceived(Runnable decode) {
        InFlight s = CURRENT.get();
        ArrayList<Runnable> outer = s.opened;
        ArrayList<Runnable> mine = new ArrayList<>();
        s.opened = mine;
        try {
            decode.run();
        } finally {
            s.opened = outer;
            for (Runnable close : mine) {
                try {
                    close.run();
                } catch (RuntimeException e) {
                    org.slf4j.LoggerFactory.getLogger(InFlight.class).debug("closing an object of an item left failed", e);
                }
            }
        }
    }

    /** A handle was received and opened an object, which {@code close} closes; see {@link #closeReceived}. */
    public static void opened(Runnable close) {
        ArrayList<Runnable> o = CURRENT.get().opened;
        if (o != null) {
            o.add(close);
        }
    }
}
