package dev.pyconc.asyncio;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

import io.netty.channel.Channel;

/**
 * A listening TCP or Unix-socket server: Python's {@code asyncio.Server}, made by
 * {@link Asyncio#startServer} and {@link Asyncio#startUnixServer} (each accepted connection gets a
 * {@link StreamReader} and {@link StreamWriter} and runs the server's
 * {@link ClientConnectedCallback} as a task of its own) and by {@link EventLoop#createServer} and
 * {@link EventLoop#createUnixServer} (each accepted connection gets a protocol from the factory
 * and a {@link Transport}). A Unix server removes its socket file when it is closed, as Python
 * 3.13 does, unless another socket took that path meanwhile.
 *
 * <pre> {@code
 * try (Server server = Asyncio.startServer(handler, "127.0.0.1", 8888)) {
 *     System.out.println("serving on " + server.sockets());
 *     server.serveForever();            // until cancelled or closed
 * }
 * server.waitClosed();                  // every connection has been closed
 * }</pre>
 *
 * <p>Semantics of Python 3.12 and later: {@link #close()} stops listening (connections already
 * accepted go on) and makes a {@link #serveForever()} in progress raise {@link CancelledError};
 * {@link #waitClosed()} waits until the server is closed and every connection it accepted has
 * been closed; {@link #closeClients()} and {@link #abortClients()} (3.13) close those
 * connections. A task cancelled in {@code serveForever()} closes the server and waits for its
 * connections before the {@code CancelledError} leaves it, as in Python. {@code close()} is also
 * the {@link AutoCloseable} method, so a try-with-resources block stops listening when it ends;
 * unlike Python's {@code async with server} it does not wait for the connections: call
 * {@code waitClosed()} for that. Closing the event loop closes its servers and connections.
 *
 * <p>Servers are not thread-safe, as in Python: use them from the task bodies and callbacks of
 * their loop.
 *
 * <p>Memory consistency effects: actions prior to {@link #close()} <i>happen-before</i> the return
 * of {@link #waitClosed()} and of a {@link #serveForever()} that it ends.
 */
public final class Server implements AutoCloseable, LoopThread.Resource {
    final EventLoop loop;
    private List<Channel> listeners;             // null once closed (Python's _sockets = None)
    private final List<SocketAddress> addresses = new ArrayList<>();
    private Runnable onClose;                    // a Unix server's clean-up of its socket file
    private final Set<SocketTransport> connections = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean serving;
    private List<Future<Void>> waiters = new ArrayList<>();   // null once closed with no connection left
    private Future<Void> servingForever;

    Server(EventLoop loop, List<Channel> listeners) {
        this.loop = loop;
        this.listeners = listeners;
        for (Channel c : listeners) {
            Object a = SocketTransport.address(c.localAddress());
            addresses.add(a instanceof String path ? UnixDomainSocketAddress.of(path) : (SocketAddress) a);
        }
        loop.loopThread.own(this);
    }

    /** The loop the server runs on (Python's {@code get_loop()}). */
    public EventLoop getLoop() {
        return loop;
    }

    /**
     * The TCP addresses the server listens on, one per listening socket (Python's {@code sockets},
     * whose sockets' {@code getsockname()} these are); empty once closed, and for a Unix server
     * (see {@link #socketAddresses()}).
     */
    public List<InetSocketAddress> sockets() {
        if (listeners == null) {
            return List.of();
        }
        List<InetSocketAddress> inet = new ArrayList<>(addresses.size());
        for (SocketAddress a : addresses) {
            if (a instanceof InetSocketAddress i) {
                inet.add(i);
            }
        }
        return List.copyOf(inet);
    }

    /**
     * The addresses the server listens on, of any kind: an {@link InetSocketAddress} per TCP
     * socket, a {@link UnixDomainSocketAddress} for a Unix server (Python's
     * {@code [s.getsockname() for s in server.sockets]}); empty once closed.
     */
    public List<SocketAddress> socketAddresses() {
        return listeners == null ? List.of() : List.copyOf(addresses);
    }

    void onClose(Runnable r) {
        this.onClose = r;
    }

    /** Whether the server accepts connections (Python's {@code is_serving()}). */
    public boolean isServing() {
        return serving;
    }

    /**
     * Starts accepting connections, if it does not yet (Python's {@code start_serving}).
     *
     * @throws IllegalStateException if the server is closed
     */
    public void startServing() {
        if (listeners == null) {
            throw new IllegalStateException("server " + this + " is closed");
        }
        startAccepting();
        Asyncio.sleep(java.time.Duration.ZERO);
    }

    void startAccepting() {
        if (serving || listeners == null) {
            return;
        }
        serving = true;
        for (Channel c : listeners) {
            loop.loopThread.runAtHome(() -> c.config().setAutoRead(true));
        }
    }

    /**
     * Accepts connections until the task is cancelled or the server is closed (Python's
     * {@code serve_forever}). Cancelled, it closes the server and waits for its connections to
     * close before the {@link CancelledError} leaves it.
     *
     * @throws IllegalStateException if the server is closed or another task serves it forever
     * @throws CancelledError always, in the end
     */
    public void serveForever() {
        if (servingForever != null) {
            throw new IllegalStateException("server " + this + " is already being awaited on serveForever()");
        }
        if (listeners == null) {
            throw new IllegalStateException("server " + this + " is closed");
        }
        startAccepting();
        Future<Void> f = loop.createFuture();
        servingForever = f;
        try {
            f.await();
        } catch (RuntimeException e) {
            if (!Task.isCancellation(e)) {
                throw e;
            }
            try {
                close();
                waitClosed();
            } catch (RuntimeException other) {
                e.addSuppressed(other);
            }
            throw e;
        } finally {
            if (servingForever == f) {
                servingForever = null;
            }
        }
    }

    /**
     * Stops listening; connections already accepted go on (Python's {@code close}). A
     * {@link #serveForever()} in progress raises {@link CancelledError}. Idempotent; the
     * {@link AutoCloseable} method.
     */
    @Override
    public void close() {
        List<Channel> ls = listeners;
        if (ls == null) {
            return;
        }
        listeners = null;
        Runnable cleanUp = onClose;
        onClose = null;
        for (Channel c : ls) {
            loop.loopThread.runAtHome(() -> {
                c.close();
                if (cleanUp != null) {
                    cleanUp.run();
                }
            });
        }
        serving = false;
        Future<Void> f = servingForever;
        if (f != null && !f.done()) {
            f.cancel();
            servingForever = null;
        }
        if (connections.isEmpty()) {
            wakeUp();
        }
    }

    /** Closes every connection the server accepted, once each has sent what was written (Python 3.13's {@code close_clients}). */
    public void closeClients() {
        for (SocketTransport t : new ArrayList<>(connections)) {
            t.close();
        }
    }

    /** Closes every connection the server accepted at once (Python 3.13's {@code abort_clients}). */
    public void abortClients() {
        for (SocketTransport t : new ArrayList<>(connections)) {
            t.abort();
        }
    }

    /**
     * Waits until the server is closed and every connection it accepted is closed (Python
     * 3.12.1's {@code wait_closed}); returns at once if that is so already.
     */
    public void waitClosed() {
        List<Future<Void>> ws = waiters;
        if (ws == null) {
            return;
        }
        Future<Void> w = loop.createFuture();
        ws.add(w);
        w.await();
    }

    private void wakeUp() {
        List<Future<Void>> ws = waiters;
        waiters = null;
        if (ws != null) {
            for (Future<Void> w : ws) {
                if (!w.done()) {
                    w.setResultInternal(null);
                }
            }
        }
        loop.loopThread.disown(this);
    }

    /** A connection was accepted. */
    void attach(SocketTransport t) {
        connections.add(t);
        t.attachTo(this);
    }

    /** A connection it accepted is closed. */
    void detach(SocketTransport t) {
        connections.remove(t);
        if (connections.isEmpty() && listeners == null) {
            wakeUp();
        }
    }

    /** Whether the server has been closed (for the accept path: a late connection is closed at once). */
    boolean closed() {
        return listeners == null;
    }

    @Override
    public void closeForLoop() {
        close();
        abortClients();
    }

    @Override
    public String toString() {
        return "Server[sockets=" + sockets() + (serving ? " serving" : "") + ", " + connections.size() + " connections]";
    }
}
