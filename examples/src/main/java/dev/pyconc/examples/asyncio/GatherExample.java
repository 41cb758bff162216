package dev.pyconc.examples.asyncio;

import java.time.Duration;
import java.util.List;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.Task;

/**
 * Two tasks that sleep 1 s and 2 s, gathered: they sleep at the same time, so the whole takes
 * about 2 s, not 3. Python:
 *
 * <pre>
 * async def say_after(delay, what):
 *     await asyncio.sleep(delay)
 *     return what
 * async def main():
 *     return await asyncio.gather(say_after(1, "hello"), say_after(2, "world"))
 * </pre>
 */
public final class GatherExample {
    private GatherExample() {}

    static String sayAfter(Duration delay, String what) {
        Asyncio.sleep(delay);
        System.out.printf("  %s after %d ms%n", what, delay.toMillis());
        return what;
    }

    public static void main(String[] args) {
        long start = System.nanoTime();
        List<String> words = Asyncio.run(() -> {
            Task<String> a = Asyncio.createTask(() -> sayAfter(Duration.ofSeconds(1), "hello"));
            Task<String> b = Asyncio.createTask(() -> sayAfter(Duration.ofSeconds(2), "world"));
            return Asyncio.gather(a, b).await();
        });
        System.out.printf("gather -> %s in %.2f s (the sleeps overlapped: 1 s + 2 s took about 2 s)%n",
                words, (System.nanoTime() - start) / 1e9);
    }
}
