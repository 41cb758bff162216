package dev.pyconc.examples.futures;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.pyconc.futures.Future;
import dev.pyconc.futures.Futures;
import dev.pyconc.futures.ThreadPoolExecutor;

/**
 * The URL-fetching example of Python's concurrent.futures docs, with simulated downloads of
 * different lengths: five submitted to a pool of four threads, results taken with
 * {@link Futures#asCompleted} in the order the downloads finish, not the order submitted.
 */
public class AsCompletedExample {
    record Page(String url, int millis) {}

    static int load(Page page) throws InterruptedException {
        java.lang.Thread.sleep(page.millis());
        if (page.url().contains("broken")) {
            throw new IllegalStateException("404 for " + page.url());
        }
        return page.url().length() * 1000;
    }

    public static void main(String[] args) {
        List<Page> pages = List.of(new Page("http://www.foxnews.com/", 300), new Page("http://www.cnn.com/", 100),
                new Page("http://europe.wsj.com/", 400), new Page("http://www.bbc.co.uk/", 200),
                new Page("http://broken.example/", 50));
        try (var pool = ThreadPoolExecutor.builder().maxWorkers(4).threadNamePrefix("fetch").build()) {
            Map<Future<Integer>, String> urls = new HashMap<>();
            List<Future<Integer>> futures = new ArrayList<>();
            for (var page : pages) {
                var f = pool.submit(() -> load(page));
                urls.put(f, page.url());
                futures.add(f);
            }
            for (var f : Futures.asCompleted(futures, Duration.ofSeconds(10))) {
                try {
                    System.out.println("  " + urls.get(f) + " page is " + f.result() + " bytes");
                } catch (IllegalStateException e) {
                    System.out.println("  " + urls.get(f) + " generated an exception: " + e.getMessage());
                }
            }
        }
        System.out.println("pool shut down at the end of the try block");
    }
}
