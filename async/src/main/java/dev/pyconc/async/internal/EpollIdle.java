package dev.pyconc.async.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Field;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.EpollIoHandler;

/**
 * Lets a loop whose thread is virtual wait for epoll events without blocking a carrier thread.
 *
 * <p>Netty's epoll transport waits in a native {@code epoll_wait}, which would pin the virtual
 * thread's carrier for as long as the loop is idle (with as many idle loops as carriers, no other
 * virtual thread could run). So an idle loop instead parks its virtual thread, and a platform
 * helper thread of the loop blocks in {@code poll(2)} on Netty's epoll descriptor (an epoll
 * descriptor is readable while events are ready; poll does not consume them) and on an eventfd
 * of its own, then unparks the loop, which runs Netty without blocking. A busy loop never comes
 * here: it finds its events with a non-blocking run, on its own virtual thread.
 *
 * <p>It needs Netty's epoll descriptor (a private field, read by reflection: on the module path
 * that needs {@code --add-opens io.netty.transport.classes.epoll/io.netty.channel.epoll=dev.pyconc.async})
 * and native access for {@code poll}, {@code eventfd}, {@code read} and {@code write}. Where either
 * is missing, {@link #capture} reports it and the loop runs on a platform thread instead.
 *
 * <p>Memory consistency effects: actions of a thread prior to {@link #wake()} happen-before the
 * return of an {@link #await} that it ends.
 */
public final class EpollIdle {
    private static final Logger LOG = LoggerFactory.getLogger(EpollIdle.class);
    private static final Native NATIVE = Native.load();
    /** An idle loop still runs Netty once a second (its own scheduled tasks, such as connect timeouts). */
    private static final long MAX_WAIT_NANOS = 1_000_000_000L;

    private final int epfd;
    private final int eventfd;
    private final Thread helper;
    private volatile Thread waiter;          // the loop thread while it waits
    private volatile long deadline;          // of the wait in progress (System.nanoTime)
    private volatile boolean armed;          // the helper should poll
    private volatile boolean inPoll;         // the helper is in poll(2), or about to be: a release must write the eventfd
    private final java.util.concurrent.atomic.AtomicLong events = new java.util.concurrent.atomic.AtomicLong(); // wakes and epoll events
    private volatile boolean closed;

    private EpollIdle(int epfd, String name) {
        this.epfd = epfd;
        this.eventfd = NATIVE.eventfd();
        this.helper = Thread.ofPlatform().daemon(true).name(name).unstarted(this::helperLoop);
    }

    /** A factory of epoll handlers that keeps the handler it made, so that its descriptor can be found. */
    public static final class Capture implements IoHandlerFactory {
        private final IoHandlerFactory delegate = EpollIoHandler.newFactory();
        volatile IoHandler handler;

        @Override
        public IoHandler newHandler(io.netty.util.concurrent.ThreadAwareExecutor executor) {
            IoHandler h = delegate.newHandler(executor);
            handler = h;
            return h;
        }

        @Override
        public boolean isChangingThreadSupported() {
            return delegate.isChangingThreadSupported();
        }
    }

    /** Whether idle waits can be done this way here (native access and Netty's descriptor). */
    public static boolean supported() {
        return NATIVE != null && EpollFd.FIELD != null;
    }

    /**
     * The idle waiter of the handler {@code capture} made, with a helper thread named
     * {@code name}; null (logged once at debug level) when it cannot be made.
     */
    public static EpollIdle capture(Capture capture, String name) {
        if (!supported() || capture.handler == null) {
            return null;
        }
        try {
            Object fd = EpollFd.FIELD.get(capture.handler);
            int epfd = ((io.netty.channel.unix.FileDescriptor) fd).intValue();
            return new EpollIdle(epfd, name);
        } catch (Throwable e) {
            LOG.debug("cannot wait for epoll events off the carrier; the loop runs on a platform thread", e);
            return null;
        }
    }

    /**
     * A count of the wake-ups and epoll events so far: read it before looking for work, and pass
     * it to {@link #await}, so that a wake-up between the two is not lost.
     */
    public long events() {
        return events.get();
    }

    /**
     * Parks the calling (loop) thread until epoll has events, {@link #wake()} is called, or
     * {@code nanos} pass ({@code 0}: no limit), but at most one second, so that the loop looks at
     * Netty's own timers; returns at once if the count of events is no longer {@code seen}.
     */
    public void await(long nanos, long seen) {
        if (helper.getState() == Thread.State.NEW) {
            helper.start();
        }
        long limit = nanos == 0 ? MAX_WAIT_NANOS : Math.min(nanos, MAX_WAIT_NANOS);
        long d = System.nanoTime() + limit;
        waiter = Thread.currentThread();
        deadline = d;
        armed = true;
        LockSupport.unpark(helper);
        while (events.get() == seen && !closed) {
            long left = d - System.nanoTime();
            if (left <= 0) {
                break;
            }
            LockSupport.parkNanos(this, left);
        }
        armed = false;
        waiter = null;
        if (inPoll) {
            NATIVE.write(eventfd);         // the helper still polls: release it (not when it woke us)
        }
    }

    /** Ends a wait in progress, or makes the next one that saw the old count return at once (from any thread). */
    public void wake() {
        events.incrementAndGet();
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    /** Ends the helper thread and closes the eventfd. */
    public void close() {
        closed = true;
        NATIVE.write(eventfd);
        LockSupport.unpark(helper);
        try {
            if (helper.getState() != Thread.State.NEW) {
                helper.join(5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        NATIVE.close(eventfd);
    }

    private void helperLoop() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(16, 4);
            fds.set(ValueLayout.JAVA_INT, 0, epfd);
            fds.set(ValueLayout.JAVA_SHORT, 4, (short) 1);      // POLLIN
            fds.set(ValueLayout.JAVA_INT, 8, eventfd);
            fds.set(ValueLayout.JAVA_SHORT, 12, (short) 1);
            while (!closed) {
                inPoll = true;                 // before reading armed: a waiter that disarms then sees it (both volatile)
                if (!armed) {
                    inPoll = false;
                    LockSupport.park(this);
                    continue;
                }
                long left = deadline - System.nanoTime();
                int timeoutMs = (int) Math.max(0, Math.min(1000, (left + 999_999) / 1_000_000));
                fds.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
                fds.set(ValueLayout.JAVA_SHORT, 14, (short) 0);
                int n = NATIVE.poll(fds, 2, timeoutMs);
                inPoll = false;
                if (fds.get(ValueLayout.JAVA_SHORT, 14) != 0) {
                    NATIVE.read(eventfd);      // released by the waiter, or closing
                }
                if (n > 0 && fds.get(ValueLayout.JAVA_SHORT, 6) != 0 && armed) {
                    armed = false;
                    wake();                    // epoll has events: the loop runs Netty
                } else if (n == 0 && armed && deadline - System.nanoTime() <= 0) {
                    armed = false;             // the wait ran out: the waiter's parkNanos ends it
                }
            }
        } catch (Throwable e) {
            LOG.error("the epoll idle helper failed; the loop wakes only on its own timers and wake-ups", e);
        }
    }

    /** The private field of Netty's epoll handler that holds the epoll descriptor. */
    private static final class EpollFd {
        static final Field FIELD = find();

        private static Field find() {
            try {
                Field f = EpollIoHandler.class.getDeclaredField("epollFd");
                f.setAccessible(true);
                return f;
            } catch (Throwable e) {
                LOG.debug("Netty's epoll descriptor is not accessible", e);
                return null;
            }
        }
    }

    /** poll, eventfd, read, write and close of libc. */
    private record Native(MethodHandle pollH, MethodHandle eventfdH, MethodHandle readH, MethodHandle writeH, MethodHandle closeH) {
        @SuppressWarnings("restricted")     // poll/eventfd/read/write/close; native access is documented above
        static Native load() {
            try {
                Linker l = Linker.nativeLinker();
                var lib = l.defaultLookup();
                return new Native(
                        l.downcallHandle(lib.find("poll").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT)),
                        l.downcallHandle(lib.find("eventfd").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT)),
                        l.downcallHandle(lib.find("read").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG)),
                        l.downcallHandle(lib.find("write").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG)),
                        l.downcallHandle(lib.find("close").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                                ValueLayout.JAVA_INT)));
            } catch (Throwable e) {      // IllegalCallerException without native access
                LOG.debug("no native access for poll/eventfd", e);
                return null;
            }
        }

        int eventfd() {
            try {
                int fd = (int) eventfdH.invokeExact(0, 0x80000 | 0x800);   // EFD_CLOEXEC | EFD_NONBLOCK
                if (fd < 0) {
                    throw new IllegalStateException("eventfd failed");
                }
                return fd;
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }

        int poll(MemorySegment fds, int n, int timeoutMs) {
            try {
                return (int) pollH.invokeExact(fds, (long) n, timeoutMs);
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }

        void write(int fd) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment one = a.allocate(ValueLayout.JAVA_LONG);
                one.set(ValueLayout.JAVA_LONG, 0, 1L);
                long r = (long) writeH.invokeExact(fd, one, 8L);
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }

        void read(int fd) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment buf = a.allocate(ValueLayout.JAVA_LONG);
                long r = (long) readH.invokeExact(fd, buf, 8L);
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }

        void close(int fd) {
            try {
                int r = (int) closeH.invokeExact(fd);
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
