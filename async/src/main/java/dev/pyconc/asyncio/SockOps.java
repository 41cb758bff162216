package dev.pyconc.asyncio;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import dev.pyconc.builtins.BrokenPipeError;
import dev.pyconc.builtins.ConnectionRefusedError;
import dev.pyconc.builtins.ConnectionResetError;
import dev.pyconc.builtins.OSError;

/**
 * The loop's {@code sock_*} methods on non-blocking JDK socket channels, and the selector that
 * tells a task when its channel is ready.
 */
final class SockOps implements LoopThread.Resource {
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final EventLoop loop;
    private final Selector selector;
    private final Thread thread;                                   // runs select(); platform, daemon
    private final ConcurrentLinkedQueue<Runnable> changes = new ConcurrentLinkedQueue<>(); // for the selector thread
    private volatile boolean closed;

    /*
     * Overview.
     *
     * Each operation does what Python's selector loop does: it tries the non-blocking call first,
     * and only when that would block (0 bytes, no datagram, no connection, connect pending) does
     * the task wait for the channel's readiness, then try again. The wait is a future of the loop
     * completed by the selector thread, so the task suspends and the loop runs on meanwhile.
     *
     * Why a JDK Selector of its own rather than the loop's Netty selector or a virtual thread per
     * wait: a JDK channel cannot be registered with Netty's epoll loop (only NIO's selector takes
     * it, and the loop may run on epoll), and a virtual thread cannot wait on a non-blocking
     * channel (its blocking form needs the channel in blocking mode, which Python forbids here
     * and which would change the user's channel under them). One selector thread per loop, made
     * at the first wait and closed with the loop, serves every channel; it sleeps in select()
     * while nobody waits.
     *
     * The selector thread owns the selector: waits are added and removed through `changes` (then
     * wakeup()), so keys and interest sets are touched by that thread only. A key's attachment is
     * the list of its waiters (a read and a write may wait at once, and two tasks may race on one
     * socket as test_sock_client_racing does); when a key is ready, the waiters whose operation is
     * ready are completed (callSoonThreadsafe) and dropped, and the interest set is what the rest
     * want. Cancelling the task ends its await; the task then has the selector remove its waiter
     * and waits for that (a round trip to the selector thread) before its CancelledError goes on:
     * the wait stops with the task. A key left without waiters is cancelled and flushed at once
     * (selectNow), so a channel is registered only while a task waits on it: the JDK defers the
     * close of a registered channel, and a user who closes a socket after a cancelled wait (as
     * test_cancel_sock_accept does) expects it closed then. A registration that meets a cancelled
     * key of the channel selects once to flush it first.
     */

    private SockOps(EventLoop loop) throws IOException {
        this.loop = loop;
        this.selector = Selector.open();
        this.thread = Thread.ofPlatform().daemon(true).name("asyncio-sock-" + THREADS.incrementAndGet()).unstarted(this::run);
    }

    /** The loop's SockOps, made and owned by the loop at the first use; the caller holds the baton. */
    static SockOps of(EventLoop loop) {
        SockOps s = loop.sockOps;
        if (s == null) {
            try {
                s = new SockOps(loop);
            } catch (IOException e) {
                throw new OSError("cannot open a selector: " + e.getMessage(), e);
            }
            loop.sockOps = s;
            loop.loopThread.own(s);
            s.thread.start();
        }
        return s;
    }

    // ---------------------------------------------------------------- the operations (task bodies)

    static void checkNonBlocking(SelectableChannel sock) {
        if (sock == null) {
            throw new IllegalArgumentException("sock must not be null");
        }
        if (sock.isBlocking()) {
            throw new IllegalArgumentException("the socket must be non-blocking");
        }
    }

    <C extends SelectableChannel & ReadableByteChannel> int recvInto(C sock, ByteBuffer buf) {
        checkNonBlocking(sock);
        if (buf == null) {
            throw new IllegalArgumentException("buf must not be null");
        }
        if (!buf.hasRemaining()) {
            return 0;
        }
        for (;;) {
            int n;
            try {
                n = sock.read(buf);
            } catch (IOException e) {
                throw translate(e);
            }
            if (n != 0) {
                return Math.max(n, 0);            // -1, the end of the stream, is Python's b''
            }
            await(sock, SelectionKey.OP_READ);
        }
    }

    <C extends SelectableChannel & ReadableByteChannel> byte[] recv(C sock, int nbytes) {
        if (nbytes < 0) {
            throw new IllegalArgumentException("negative buffersize in recv");
        }
        ByteBuffer b = ByteBuffer.allocate(nbytes);
        int n = recvInto(sock, b);
        return Arrays.copyOf(b.array(), n);
    }

    EventLoop.RecvfromIntoResult recvfromInto(DatagramChannel sock, ByteBuffer buf) {
        checkNonBlocking(sock);
        if (buf == null) {
            throw new IllegalArgumentException("buf must not be null");
        }
        for (;;) {
            int start = buf.position();
            SocketAddress from;
            try {
                from = sock.receive(buf);
            } catch (IOException e) {
                throw translate(e);
            }
            if (from != null) {
                return new EventLoop.RecvfromIntoResult(buf.position() - start, from);
            }
            await(sock, SelectionKey.OP_READ);
        }
    }

    EventLoop.RecvfromResult recvfrom(DatagramChannel sock, int bufsize) {
        if (bufsize < 0) {
            throw new IllegalArgumentException("negative buffersize in recvfrom");
        }
        ByteBuffer b = ByteBuffer.allocate(bufsize);
        EventLoop.RecvfromIntoResult r = recvfromInto(sock, b);
        return new EventLoop.RecvfromResult(Arrays.copyOf(b.array(), r.nbytes()), r.address());
    }

    <C extends SelectableChannel & WritableByteChannel> void sendall(C sock, byte[] data) {
        checkNonBlocking(sock);
        if (data == null) {
            throw new IllegalArgumentException("data must not be null");
        }
        ByteBuffer b = ByteBuffer.wrap(data);
        for (;;) {
            try {
                sock.write(b);
            } catch (IOException e) {
                throw translate(e);
            }
            if (!b.hasRemaining()) {
                return;
            }
            await(sock, SelectionKey.OP_WRITE);
        }
    }

    int sendto(DatagramChannel sock, byte[] data, SocketAddress address) {
        checkNonBlocking(sock);
        if (data == null) {
            throw new IllegalArgumentException("data must not be null");
        }
        InetSocketAddress to = resolved(address);
        ByteBuffer b = ByteBuffer.wrap(data);
        for (;;) {
            int n;
            try {
                n = sock.send(b, to);
            } catch (IOException e) {
                throw translate(e);
            }
            if (n > 0 || data.length == 0) {
                return n;
            }
            await(sock, SelectionKey.OP_WRITE);
        }
    }

    void connect(SocketChannel sock, SocketAddress address) {
        checkNonBlocking(sock);
        InetSocketAddress to = resolved(address);
        try {
            if (sock.connect(to)) {
                return;
            }
            for (;;) {
                await(sock, SelectionKey.OP_CONNECT);
                if (sock.finishConnect()) {
                    return;
                }
            }
        } catch (IOException e) {
            throw translate(e);
        }
    }

    void connect(DatagramChannel sock, SocketAddress address) {
        checkNonBlocking(sock);
        try {
            sock.connect(resolved(address));
        } catch (IOException e) {
            throw translate(e);
        }
    }

    EventLoop.Accepted accept(ServerSocketChannel sock) {
        checkNonBlocking(sock);
        for (;;) {
            try {
                SocketChannel c = sock.accept();
                if (c != null) {
                    c.configureBlocking(false);
                    return new EventLoop.Accepted(c, c.getRemoteAddress());
                }
            } catch (IOException e) {
                throw translate(e);
            }
            await(sock, SelectionKey.OP_ACCEPT);
        }
    }

    long sendfile(SocketChannel sock, FileChannel file, long offset, long count) {
        checkNonBlocking(sock);
        if (file == null) {
            throw new IllegalArgumentException("file must not be null");
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be a non-negative integer (got " + offset + ")");
        }
        if (count <= 0 && count != -1) {
            throw new IllegalArgumentException("count must be a positive integer (got " + count + ")");
        }
        long total = 0;
        try {
            long end = count == -1 ? file.size() : Math.min(file.size(), offset + count);
            while (offset + total < end) {
                long n = file.transferTo(offset + total, end - offset - total, sock);
                if (n > 0) {
                    total += n;
                    continue;
                }
                await(sock, SelectionKey.OP_WRITE);
            }
            return total;
        } catch (IOException e) {
            throw translate(e);
        } finally {
            try {
                if (total > 0) {
                    file.position(offset + total);     // as Python seeks the file past what was sent
                }
            } catch (IOException ignored) {
                // the channel was closed meanwhile: nothing to position
            }
        }
    }

    private InetSocketAddress resolved(SocketAddress address) {
        if (!(address instanceof InetSocketAddress isa)) {
            throw new IllegalArgumentException("address must be an InetSocketAddress (Python's (host, port) tuple), not "
                    + (address == null ? "null" : address.getClass().getName()));
        }
        if (!isa.isUnresolved()) {
            return isa;
        }
        List<AddrInfo> infos = loop.getaddrinfo(isa.getHostString(), isa.getPort(), null, 0, 0, 0);
        return infos.get(0).address();          // Python's _ensure_resolved takes the first
    }

    static RuntimeException translate(IOException e) {
        String m = String.valueOf(e.getMessage());
        if (e instanceof ConnectException || m.contains("Connection refused")) {
            return new ConnectionRefusedError("[Errno 111] Connection refused", e);
        }
        if (e instanceof java.net.PortUnreachableException) {
            return new ConnectionRefusedError("[Errno 111] Connection refused", e);
        }
        if (m.contains("reset")) {
            return new ConnectionResetError("[Errno 104] Connection reset by peer", e);
        }
        if (m.contains("Broken pipe")) {
            return new BrokenPipeError("[Errno 32] Broken pipe", e);
        }
        if (e instanceof ClosedChannelException) {
            return new OSError("[Errno 9] Bad file descriptor", e);
        }
        return new OSError(m, e);
    }

    // ---------------------------------------------------------------- waiting for readiness

    /** Suspends the current task until {@code ch} is ready for {@code op}; cancelling the task stops the wait. */
    private void await(SelectableChannel ch, int op) {
        if (closed) {
            throw new IllegalStateException("Event loop is closed");
        }
        Future<Void> f = loop.createFuture();
        Waiter w = new Waiter(ch, op, f);
        change(() -> add(w));
        try {
            f.await();
        } catch (RuntimeException e) {
            // Cancelled (or the loop closes): the wait ends with the task. The selector drops the
            // channel before the task goes on, so that a close() right after closes it at once
            // (the JDK defers the close of a channel registered with a selector).
            java.util.concurrent.CountDownLatch removed = new java.util.concurrent.CountDownLatch(1);
            change(() -> {
                remove(w);
                removed.countDown();
            });
            boolean interrupted = false;
            while (!closed && thread.isAlive()) {
                try {
                    if (removed.await(10, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                        break;
                    }
                } catch (InterruptedException ie) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            throw e;
        }
    }

    private record Waiter(SelectableChannel ch, int op, Future<Void> future) {
    }

    private void change(Runnable r) {
        changes.add(r);
        selector.wakeup();
    }

    /** On the selector thread. */
    private void add(Waiter w) {
        try {
            SelectionKey k = w.ch.keyFor(selector);
            if (k != null && !k.isValid()) {
                selector.selectNow();               // flush the cancelled key of a closed or deregistered channel
                k = w.ch.keyFor(selector);
            }
            if (k == null) {
                k = w.ch.register(selector, 0, new ArrayList<Waiter>(2));
            }
            @SuppressWarnings("unchecked")
            List<Waiter> ws = (List<Waiter>) k.attachment();
            ws.add(w);
            k.interestOps(k.interestOps() | w.op);
        } catch (IOException | RuntimeException e) {
            wake(w);                                 // the retry meets the channel's own error
        }
    }

    /** On the selector thread. */
    private void remove(Waiter w) {
        SelectionKey k = w.ch.keyFor(selector);
        if (k == null) {
            return;
        }
        if (k.isValid()) {
            @SuppressWarnings("unchecked")
            List<Waiter> ws = (List<Waiter>) k.attachment();
            ws.remove(w);
            if (!ws.isEmpty()) {
                k.interestOps(interest(ws));
                return;
            }
            k.cancel();
        }
        try {
            selector.selectNow();                   // deregister now: a deferred close of the channel completes
        } catch (IOException e) {
            EventLoop.LOG.warn("{}: selectNow failed", thread.getName(), e);
        }
    }

    private static int interest(List<Waiter> ws) {
        int ops = 0;
        for (Waiter w : ws) {
            ops |= w.op;
        }
        return ops;
    }

    private void wake(Waiter w) {
        try {
            loop.callSoonThreadsafe(() -> {
                if (!w.future.done()) {
                    w.future.setResult(null);
                }
            });
        } catch (IllegalStateException closedLoop) {
            // nobody waits any more
        }
    }

    private void run() {
        try {
            while (!closed) {
                if (changes.isEmpty()) {
                    selector.select();
                } else {
                    selector.selectNow();           // a selectNow cleared the wakeup() of a change queued since
                }
                Runnable r;
                while ((r = changes.poll()) != null) {
                    r.run();
                }
                boolean dropped = false;
                for (SelectionKey k : selector.selectedKeys()) {
                    @SuppressWarnings("unchecked")
                    List<Waiter> ws = (List<Waiter>) k.attachment();
                    try {
                        int ready = k.readyOps();
                        ws.removeIf(w -> {
                            if ((w.op & ready) != 0) {
                                wake(w);
                                return true;
                            }
                            return false;
                        });
                        if (ws.isEmpty()) {
                            k.cancel();                 // nobody waits: the channel leaves the selector
                            dropped = true;
                        } else {
                            k.interestOps(interest(ws));
                        }
                    } catch (CancelledKeyException closedChannel) {
                        ws.forEach(this::wake);
                        ws.clear();
                    }
                }
                selector.selectedKeys().clear();
                if (dropped) {
                    selector.selectNow();
                }
            }
        } catch (IOException | RuntimeException e) {
            EventLoop.LOG.error("{}: the selector of loop.sock_*() failed", thread.getName(), e);
        } finally {
            try {
                selector.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    @Override
    public void closeForLoop() {
        closed = true;
        selector.wakeup();
    }

    @Override
    public String toString() {
        return "SockOps[" + thread.getName() + "]";
    }
}
