package dev.pyconc.multiprocessing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.pyconc.builtins.BrokenPipeError;
import dev.pyconc.builtins.EOFError;
import dev.pyconc.builtins.OSError;
import dev.pyconc.ipc.internal.ring.PipeDescriptor;
import dev.pyconc.ipc.internal.ring.RingDescriptor;
import dev.pyconc.ipc.internal.shm.HeaderDescriptor;
import dev.pyconc.ipc.internal.shm.Shm;
import dev.pyconc.ipc.internal.shm.Words;

/** Connection and Multiprocessing.pipe: messages, raw bytes, poll, end of file, and ends in child processes. */
@ExtendWith(NoLeaks.class)
class ConnectionTest {
    private static final Duration LIMIT = Duration.ofSeconds(90);

    /** Objects and raw byte messages go both ways through a duplex pipe, in order. */
    @Test
    void duplexMessages() {
        var pipe = Multiprocessing.pipe();
        try (Connection a = pipe.conn1(); Connection b = pipe.conn2()) {
            a.send("hello");
            a.send(42);
            a.send(List.of(1, 2, 3));
            b.sendBytes(new byte[] {9, 8, 7, 6}, 1, 2);
            assertEquals("hello", b.recv());
            assertEquals(42, b.recv());
            assertEquals(List.of(1, 2, 3), b.recv());
            assertArrayEquals(new byte[] {8, 7}, a.recvBytes());
            assertTrue(a.readable() && a.writable() && b.readable() && b.writable());
        }
    }

    /** poll says whether a message waits; poll(timeout) times out with false and wakes for a message. */
    @Test
    void pollForMessages() {
        var pipe = Multiprocessing.pipe();
        try (Connection a = pipe.conn1(); Connection b = pipe.conn2()) {
            assertFalse(b.poll());
            assertFalse(b.poll(Duration.ofMillis(20)));
            a.sendBytes(new byte[0]);
            assertTrue(b.poll());
            assertTrue(b.poll(Duration.ZERO));
            assertEquals(0, b.recvBytes().length);
            assertThrows(IllegalArgumentException.class, () -> b.poll(Duration.ofMillis(-1)));
        }
    }

    /** recvBytes(max) and recvBytesInto throw BufferTooShort with the whole message when it does not fit. */
    @Test
    void bufferTooShort() {
        var pipe = Multiprocessing.pipe();
        try (Connection a = pipe.conn1(); Connection b = pipe.conn2()) {
            a.sendBytes(new byte[] {1, 2, 3});
            BufferTooShort e = assertThrows(BufferTooShort.class, () -> b.recvBytes(2));
            assertArrayEquals(new byte[] {1, 2, 3}, e.message());
            assertEquals("the message has 3 bytes, more than the 2 allowed; BufferTooShort.message() holds it", e.getMessage());
            a.sendBytes(new byte[] {4, 5, 6});
            byte[] buf = new byte[4];
            assertThrows(BufferTooShort.class, () -> b.recvBytesInto(buf, 2));
            a.sendBytes(new byte[] {7, 8});
            assertEquals(2, b.recvBytesInto(buf, 2));
            assertArrayEquals(new byte[] {0, 0, 7, 8}, buf);
            assertThrows(IllegalArgumentException.class, () -> a.sendBytes(buf, 3, 2));
            assertThrows(IllegalArgumentException.class, () -> b.recvBytes(-1));
        }
    }

    /** A one-way pipe: conn1 only receives and conn2 only sends; the wrong call is refused. */
    @Test
    void oneWayPipe() {
        var pipe = Multiprocessing.pipe(false);
        try (Connection r = pipe.conn1(); Connection w = pipe.conn2()) {
            assertTrue(r.readable());
            assertFalse(r.writable());
            assertFalse(w.readable());
            assertTrue(w.writable());
            assertEquals("connection is read-only", assertThrows(OSError.class, () -> r.send(1)).getMessage());
            assertEquals("connection is write-only", assertThrows(OSError.class, w::recv).getMessage());
            w.send("x");
            assertEquals("x", r.recv());
        }
    }

    /** After the other end closes, the messages sent before are received, then EOFError; sends throw BrokenPipeError. */
    @Test
    void closeGivesEofAfterMessages() {
        var pipe = Multiprocessing.pipe();
        Connection a = pipe.conn1();
        try (Connection b = pipe.conn2()) {
            a.send(1);
            a.send(2);
            a.close();
            assertTrue(a.closed());
            a.close();
            assertEquals("handle is closed", assertThrows(OSError.class, () -> a.send(3)).getMessage());
            assertEquals(1, b.recv());
            assertTrue(b.poll());
            assertEquals(2, b.recv());
            assertTrue(b.poll(), "end of file is readable");
            assertThrows(EOFError.class, b::recv);
            assertThrows(BrokenPipeError.class, () -> b.send(4));
        }
    }

    /** Messages of 0 B to 20 MiB (inline, wrapping the ring, in segments of their own) arrive whole, in order. */
    @Test
    void messagesOfEverySize() {
        var pipe = Multiprocessing.pipe();
        try (Connection a = pipe.conn1(); Connection b = pipe.conn2()) {
            int[] sizes = {0, 1, 100, 100_000, 200_000, 262_136, 262_145, 700_000, 20 << 20, 3};
            for (int round = 0; round < 3; round++) {
                for (int size : sizes) {
                    a.sendBytes(QueueScenarios.payload(round, size));
                    byte[] got = b.recvBytes();
                    assertEquals(size, got.length);
                    QueueScenarios.check(got);
                }
            }
        }
    }

    /** Ping-pong with a child process that received one end as an argument; EOF when the child closes it. */
    @Test
    void pingPongWithChild() {
        assertTimeoutPreemptively(LIMIT, () -> {
            var pipe = Multiprocessing.pipe();
            try (Connection here = pipe.conn1(); ChildJvm child = ChildJvm.start(ConnectionTest.class, "echo", pipe.conn2())) {
                pipe.conn2().close();
                for (int i = 0; i < 1000; i++) {
                    here.send(i);
                    assertEquals(i + 1, here.recv());
                }
                byte[] big = QueueScenarios.payload(7, 5 << 20);
                here.send(big);
                assertArrayEquals(big, (byte[]) here.recv());
                here.send("stop");
                assertThrows(EOFError.class, here::recv);
                assertEquals(0, child.waitFor());
            }
        });
    }

    /** Child: answers each int with int + 1 and echoes anything else, until "stop"; then closes its end. */
    public static void echo(Object[] args) {
        try (Connection c = (Connection) args[0]) {
            for (;;) {
                Object o = c.recv();
                if ("stop".equals(o)) {
                    return;
                }
                c.send(o instanceof Integer i ? i + 1 : o);
            }
        }
    }

    /** A sender killed with kill -9 while sending messages that wrap the ring: every message received is whole, then EOF. */
    @Test
    void peerKilledMidMessageGivesEof() {
        assertTimeoutPreemptively(LIMIT, () -> {
            for (int round = 0; round < 3; round++) {
                java.util.Set<String> before = NoLeaks.segments();
                var pipe = Multiprocessing.pipe(false);
                try (Connection in = pipe.conn1(); ChildJvm child = ChildJvm.start(ConnectionTest.class, "flood", pipe.conn2())) {
                    pipe.conn2().close();
                    int received = 0;
                    int expected = 0;
                    for (;;) {
                        if (received == 20 + round * 13) {
                            child.kill9();
                        }
                        byte[] m;
                        try {
                            m = in.recvBytes();
                        } catch (EOFError e) {
                            break;
                        }
                        assertEquals(expected++, QueueScenarios.check(m), "messages arrive whole and in order");
                        received++;
                    }
                    assertTrue(received >= 20 + round * 13, "received " + received);
                    assertThrows(EOFError.class, in::recv);
                }
                // A sender killed between writing a large message's own segment and publishing it
                // leaves that segment for the tracker (at the tree's end): at most one, removed here.
                java.util.Set<String> left = new java.util.HashSet<>(NoLeaks.segments());
                left.removeAll(before);
                left.removeIf(n -> !n.startsWith("pyconc-item-"));
                assertTrue(left.size() <= 1, "orphaned item segments: " + left);
                for (String n : left) {
                    Files.deleteIfExists(Shm.directory().resolve(n));
                }
            }
        });
    }

    /** Child: sends messages of 0 B to 600 KiB for ever, so that the ring is full and the kill lands mid-message. */
    public static void flood(Object[] args) {
        Connection c = (Connection) args[0];
        java.util.Random r = new java.util.Random(1);
        for (int seq = 0; ; seq++) {
            c.sendBytes(QueueScenarios.payload(seq, 16 + r.nextInt(600_000)));
        }
    }

    /**
     * CPython's pipe raises BrokenPipeError on the first send once its reader's process is gone (the
     * kernel drops a pipe's buffer with its last reader): here too the first send after the kill
     * throws, not the send that would find the 1 MiB ring full.
     */
    @Test
    void sendToDeadReaderRaisesBrokenPipe() {
        assertTimeoutPreemptively(LIMIT, () -> {
            var pipe = Multiprocessing.pipe(false);
            try (Connection w = pipe.conn2(); ChildJvm child = ChildJvm.start(ConnectionTest.class, "holdEnds", pipe.conn1())) {
                pipe.conn1().close();
                long pid = Long.parseLong(child.expectPrefix("holding "));
                w.sendBytes(new byte[1024]);
                child.kill9();
                BrokenPipeError e = assertThrows(BrokenPipeError.class, () -> w.sendBytes(new byte[1024]));
                assertEquals("the reading end of pipe '" + w.segmentName() + "' is gone: its process (pid " + pid
                        + ") has ended", e.getMessage());
                assertThrows(BrokenPipeError.class, () -> w.send("again"));
            }
        });
    }

    /** Both ways of a duplex pipe whose peer was killed: the next send throws BrokenPipeError, a receive EOFError. */
    @Test
    void sendToDeadPeerOfDuplexPipeRaisesBrokenPipe() {
        assertTimeoutPreemptively(LIMIT, () -> {
            var pipe = Multiprocessing.pipe(true);
            try (Connection a = pipe.conn1(); ChildJvm child = ChildJvm.start(ConnectionTest.class, "holdEnds", pipe.conn2())) {
                pipe.conn2().close();
                long pid = Long.parseLong(child.expectPrefix("holding "));
                a.send("before");
                child.kill9();
                BrokenPipeError e = assertThrows(BrokenPipeError.class, () -> a.send("after"));
                String gone = "the other end of pipe '" + a.segmentName() + "' is gone: its process (pid " + pid + ") has ended";
                assertEquals(gone, e.getMessage());
                assertTrue(a.poll(), "end of file is readable");
                assertEquals(gone, assertThrows(EOFError.class, a::recv).getMessage());
            }
        });
    }

    /**
     * An end that travelled to a second process belongs to that one: the death of the first
     * receiver breaks nothing, the death of the last one breaks the pipe at the next send.
     */
    @Test
    void sendToDeadReaderAfterTheEndMovedOnRaisesBrokenPipe() {
        assertTimeoutPreemptively(LIMIT, () -> {
            var pipe = Multiprocessing.pipe(false);
            Connection r = pipe.conn1();
            try (Connection w = pipe.conn2(); ChildJvm first = ChildJvm.start(ConnectionTest.class, "holdEnds", r)) {
                first.expectPrefix("holding ");
                try (ChildJvm second = ChildJvm.start(ConnectionTest.class, "holdEnds", r)) {
                    long pid = Long.parseLong(second.expectPrefix("holding "));
                    r.close();
                    first.kill9();
                    w.sendBytes(new byte[1024]);
                    second.kill9();
                    BrokenPipeError e = assertThrows(BrokenPipeError.class, () -> w.sendBytes(new byte[1024]));
                    assertEquals("the reading end of pipe '" + w.segmentName() + "' is gone: its process (pid " + pid
                            + ") has ended", e.getMessage());
                }
            }
        });
    }

    /**
     * An end this process passed on to a child stays open while this process still holds it, as a
     * Python parent keeps its descriptor: the death of the child that received it last is no end
     * of file for the other end, and this process's sends still arrive.
     */
    @Test
    void endPassedOnStaysOpenWhileThisProcessHoldsIt() {
        assertTimeoutPreemptively(LIMIT, () -> {
            var pipe = Multiprocessing.pipe(false);
            try (Connection r = pipe.conn1(); Connection w = pipe.conn2();
                    ChildJvm child = ChildJvm.start(ConnectionTest.class, "holdEnds", w)) {
                child.expectPrefix("holding ");
                child.kill9();
                assertFalse(r.poll(), "no end of file while this process holds the sending end");
                assertFalse(r.poll(Duration.ofMillis(50)), "nor after a wait that stalled");
                w.send("still open");
                assertEquals("still open", r.recv());
            }
        });
    }

    /** A reader killed but not yet reaped by its parent (a zombie) has ended: the next send throws. */
    @Test
    void sendToZombieReaderRaisesBrokenPipe() {
        assertTimeoutPreemptively(LIMIT, () -> {
            var pipe = Multiprocessing.pipe(false);
            try (Connection w = pipe.conn2();
                    ChildJvm shell = ChildJvm.builder().unreaped().scenario(ConnectionTest.class, "holdEnds", pipe.conn1())) {
                pipe.conn1().close();
                long pid = Long.parseLong(shell.expectPrefix("holding "));
                try {
                    w.sendBytes(new byte[1024]);
                    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
                    ChildJvm.eventually("the killed reader is a zombie", () -> ChildJvm.isZombie(pid));
                    BrokenPipeError e = assertThrows(BrokenPipeError.class, () -> w.sendBytes(new byte[1024]));
                    assertEquals("the reading end of pipe '" + w.segmentName() + "' is gone: its process (pid " + pid
                            + ") has ended", e.getMessage());
                    assertTrue(ChildJvm.isZombie(pid), "the reader was still a zombie when the send threw");
                } finally {
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        });
    }

    /**
     * A process that held five ends and closed three of them (the first, middle and last it
     * received) before it was killed: the two it still held are seen as gone at once, the three it
     * closed as closed.
     */
    @Test
    void deadReaderOfSeveralEndsBreaksEveryEndItHeld() {
        assertTimeoutPreemptively(LIMIT, () -> {
            List<Connection> writers = new ArrayList<>();
            List<Connection> readers = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                var pipe = Multiprocessing.pipe(false);
                readers.add(pipe.conn1());
                writers.add(pipe.conn2());
            }
            try (ChildJvm child = ChildJvm.start(ConnectionTest.class, "holdEnds", readers.get(0), readers.get(1),
                    readers.get(2), readers.get(3), readers.get(4), List.of(0, 2, 4))) {
                readers.forEach(Connection::close);
                long pid = Long.parseLong(child.expectPrefix("holding "));
                child.kill9();
                for (int i = 0; i < 5; i++) {
                    Connection w = writers.get(i);
                    String expected = i % 2 == 0 ? "the reading end of pipe '" + w.segmentName() + "' was closed"
                            : "the reading end of pipe '" + w.segmentName() + "' is gone: its process (pid " + pid + ") has ended";
                    assertEquals(expected, assertThrows(BrokenPipeError.class, () -> w.sendBytes(new byte[8])).getMessage());
                }
            } finally {
                writers.forEach(Connection::close);
            }
        });
    }

    /**
     * A reader whose process cannot mark its end (no native access there) is seen dead only when a
     * send finds the ring full, as before robust marks: the sends that fit are accepted and lost.
     */
    @Test
    void deadReaderWithoutNativeAccessIsSeenWhenTheRingIsFull() {
        assertTimeoutPreemptively(LIMIT, () -> {
            var pipe = Multiprocessing.pipe(false);
            try (Connection w = pipe.conn2(); ChildJvm child = ChildJvm.start(List.of("-Dpyconc.ipc.native=false"), null,
                    ConnectionTest.class, "holdEnds", pipe.conn1())) {
                pipe.conn1().close();
                child.expectPrefix("holding ");
                child.kill9();
                int accepted = 0;
                try {
                    for (;;) {
                        w.sendBytes(new byte[1024]);
                        accepted++;
                    }
                } catch (BrokenPipeError e) {
                    assertTrue(e.getMessage().endsWith(") has ended"), e.getMessage());
                }
                assertEquals(Connection.CAPACITY / RingDescriptor.recordLength(1024), accepted);
            }
        });
    }

    /**
     * Child: holds the ends it received without using them, closes those whose indexes a trailing
     * list names, says "holding &lt;pid&gt;" and waits to be killed.
     */
    public static void holdEnds(Object[] args) {
        int ends = args[args.length - 1] instanceof List<?> ? args.length - 1 : args.length;
        if (ends < args.length) {
            for (Object i : (List<?>) args[args.length - 1]) {
                ((Connection) args[(Integer) i]).close();
            }
        }
        ChildJvm.say("holding " + ProcessHandle.current().pid());
        for (;;) {
            LockSupport.park();
        }
    }

    /** Garbage written into a ring's header by another process makes recv throw a clear exception, without hanging. */
    @Test
    void hostileHeader() throws Exception {
        assertTimeoutPreemptively(LIMIT, () -> {
            var pipe = Multiprocessing.pipe();
            try (Connection a = pipe.conn1(); Connection b = pipe.conn2()) {
                a.send("fine");
                String name;
                try (var files = Files.list(Shm.directory())) {
                    name = files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("pyconc-pipe-")).findFirst().orElseThrow();
                }
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment m = Shm.attach(name, arena);
                    long ring = HeaderDescriptor.BODY + PipeDescriptor.ringTo(1, Connection.CAPACITY);
                    Words.putInt(m, ring + RingDescriptor.DATA + RingDescriptor.RECORD_LENGTH, Integer.MAX_VALUE - 3);
                }
                IllegalStateException e = assertThrows(IllegalStateException.class, b::recv);
                assertTrue(e.getMessage().contains("is corrupt"), e.getMessage());
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment m = Shm.attach(name, arena);
                    long ring = HeaderDescriptor.BODY + PipeDescriptor.ringTo(1, Connection.CAPACITY);
                    Words.putLong(m, ring + RingDescriptor.TAIL, Long.MAX_VALUE - 7);
                }
                e = assertThrows(IllegalStateException.class, b::recv);
                assertTrue(e.getMessage().contains("is corrupt"), e.getMessage());
            }
        });
    }
}
