package dev.pyconc.asyncio;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(60)
class ChannelTest extends LoopTesting {

    /** send waits until a receiver takes the value (rendezvous). */
    @Test
    void sendWaitsForReceiver() {
        List<String> log = new ArrayList<>();
        Asyncio.run(() -> {
            Channel<String> ch = new Channel<>();
            Task<Void> sender = Asyncio.createTask(() -> {
                log.add("sending");
                ch.send("v");
                log.add("sent");
            });
            Asyncio.sleep(Duration.ofMillis(5));
            assertFalse(sender.done());
            assertEquals(1, ch.balance());
            log.add("receiving");
            log.add("got " + ch.receive());
            sender.await();
            assertEquals(0, ch.balance());
            return null;
        });
        assertEquals(List.of("sending", "receiving", "got v", "sent"), log);
    }

    /** A receiver waits for a sender; balance is negative meanwhile; values keep FIFO order. */
    @Test
    void receiversWaitInOrder() {
        List<String> got = new ArrayList<>();
        Asyncio.run(() -> {
            Channel<String> ch = new Channel<>();
            Task<Void> r1 = Asyncio.createTask(() -> got.add("r1:" + ch.receive()) ? null : null);
            Task<Void> r2 = Asyncio.createTask(() -> got.add("r2:" + ch.receive()) ? null : null);
            Asyncio.sleep(Duration.ZERO);
            assertEquals(-2, ch.balance());
            ch.send("a");
            ch.send("b");
            Asyncio.gather(r1, r2).await();
            return null;
        });
        assertEquals(List.of("r1:a", "r2:b"), got);
    }

    /**
     * A receiver cancelled after a sender handed it the value, before it resumed, passes the value
     * on: the next receiver gets it, and no value is lost (the sender has returned already).
     */
    @Test
    void receiverCancelledAtHandOffPassesTheValueOn() {
        List<String> got = new ArrayList<>();
        Asyncio.run(() -> {
            Channel<String> ch = new Channel<>();
            Task<String> r1 = Asyncio.createTask(ch::receive);
            Task<String> r2 = Asyncio.createTask(ch::receive);
            Asyncio.sleep(Duration.ZERO);
            assertEquals(-2, ch.balance());
            ch.send("a");                      // hands "a" to r1 and returns at once
            assertTrue(r1.cancel());           // before r1 resumes
            got.add(r2.await());
            assertThrows(CancelledError.class, r1::await);
            assertEquals(0, ch.balance());
            return null;
        });
        assertEquals(List.of("a"), got);
    }

    /** With no other receiver waiting, the value waits for the next one, before any later send. */
    @Test
    void valueOfACancelledReceiverWaitsForTheNextReceiver() {
        List<String> got = new ArrayList<>();
        Asyncio.run(() -> {
            Channel<String> ch = new Channel<>();
            Task<String> r1 = Asyncio.createTask(ch::receive);
            Asyncio.sleep(Duration.ZERO);
            ch.send("a");
            r1.cancel();
            assertThrows(CancelledError.class, r1::await);
            assertEquals(1, ch.balance());
            Task<Void> later = Asyncio.createTask(() -> ch.send("b"));
            Asyncio.sleep(Duration.ZERO);
            assertEquals(2, ch.balance());
            got.add(ch.receive());
            got.add(ch.receive());
            later.await();
            assertEquals(0, ch.balance());
            ch.close();
            assertTrue(ch.closed());
            return null;
        });
        assertEquals(List.of("a", "b"), got);
    }

    /** An exception handed to a receiver that is cancelled before it resumes goes on as well. */
    @Test
    void exceptionOfACancelledReceiverGoesOn() {
        Asyncio.run(() -> {
            Channel<String> ch = new Channel<>();
            Task<String> r1 = Asyncio.createTask(ch::receive);
            Asyncio.sleep(Duration.ZERO);
            Task<Void> sender = Asyncio.createTask(() -> ch.sendException(new IllegalStateException("boom")));
            Asyncio.sleep(Duration.ZERO);      // the sender hands the exception to r1 and returns
            assertTrue(sender.done());
            r1.cancel();
            assertThrows(CancelledError.class, r1::await);
            assertEquals("boom", assertThrows(IllegalStateException.class, ch::receive).getMessage());
            return null;
        });
    }

    /** sendException makes the receiver raise it. */
    @Test
    void sendException() {
        Asyncio.run(() -> {
            Channel<String> ch = new Channel<>();
            Asyncio.createTask(() -> ch.sendException(new IllegalStateException("via channel")));
            assertEquals("via channel", assertThrows(IllegalStateException.class, ch::receive).getMessage());
            assertThrows(IllegalArgumentException.class, () -> ch.sendException(null));
            return null;
        });
    }

    /** A closing channel completes waiting exchanges but refuses new waits; closed() once nobody waits. */
    @Test
    void closeSemantics() {
        Asyncio.run(() -> {
            Channel<Integer> ch = new Channel<>();
            Task<Void> sender = Asyncio.createTask(() -> ch.send(1));
            Asyncio.sleep(Duration.ZERO);
            ch.close();
            assertTrue(ch.closing());
            assertFalse(ch.closed());
            assertEquals(1, ch.receive());
            sender.await();
            assertTrue(ch.closed());
            assertThrows(IllegalStateException.class, ch::receive);
            assertThrows(IllegalStateException.class, () -> ch.send(2));
            ch.open();
            assertFalse(ch.closing());
            return null;
        });
    }

    /** A cancelled sender leaves the channel as if it never came. */
    @Test
    void cancelledSender() {
        Asyncio.run(() -> {
            Channel<Integer> ch = new Channel<>();
            Task<Void> a = Asyncio.createTask(() -> ch.send(1));
            Task<Void> b = Asyncio.createTask(() -> ch.send(2));
            Asyncio.sleep(Duration.ZERO);
            a.cancel();
            Asyncio.sleep(Duration.ZERO);
            assertEquals(1, ch.balance());
            assertEquals(2, ch.receive());
            b.await();
            return null;
        });
    }

    /** Ping-pong over two channels: exact count of round trips. */
    @Test
    void pingPong() {
        int n = Asyncio.run(() -> {
            Channel<Integer> ping = new Channel<>();
            Channel<Integer> pong = new Channel<>();
            Task<Void> ponger = Asyncio.createTask(() -> {
                while (true) {
                    int v = ping.receive();
                    if (v < 0) {
                        return;
                    }
                    pong.send(v + 1);
                }
            });
            int v = 0;
            for (int i = 0; i < 10_000; i++) {
                ping.send(v);
                v = pong.receive();
            }
            ping.send(-1);
            ponger.await();
            return v;
        });
        assertEquals(10_000, n);
    }
}
