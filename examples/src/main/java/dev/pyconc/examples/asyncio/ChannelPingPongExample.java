package dev.pyconc.examples.asyncio;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.Channel;
import dev.pyconc.asyncio.Task;

/**
 * Ping-pong between two tasks over Stackless-style {@link Channel}s: each {@code send} waits until
 * the other side receives, so the two strictly alternate.
 */
public final class ChannelPingPongExample {
    private ChannelPingPongExample() {}

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        long start = System.nanoTime();
        int last = Asyncio.run(() -> {
            Channel<Integer> ping = new Channel<>();
            Channel<Integer> pong = new Channel<>();
            Task<Void> ponger = Asyncio.createTask(() -> {
                while (true) {
                    int n = ping.receive();
                    if (n < 0) {
                        return;
                    }
                    pong.send(n + 1);
                }
            });
            int n = 0;
            for (int i = 0; i < rounds; i++) {
                ping.send(n);
                n = pong.receive();
                if (i < 3) {
                    System.out.println("  ping " + (n - 1) + " -> pong " + n);
                }
            }
            ping.send(-1);
            ponger.await();
            return n;
        });
        double s = (System.nanoTime() - start) / 1e9;
        System.out.printf("%d round trips (last value %d) in %.3f s: %.2f us per round trip%n", rounds, last, s, s / rounds * 1e6);
    }
}
