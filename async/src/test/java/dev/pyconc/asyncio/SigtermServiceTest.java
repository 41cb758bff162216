package dev.pyconc.asyncio;

import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "A signal sent to a pyconc service stops it gracefully": a child JVM runs a small asyncio
 * service whose SIGTERM handler (loop.addSignalHandler) stops it; the test sends it
 * {@code kill -TERM} and checks its exact output and exit code.
 */
@org.junit.jupiter.api.Timeout(120)
class SigtermServiceTest {
    private static final String SERVICE = """
            import java.time.Duration;
            import dev.pyconc.asyncio.*;
            import dev.pyconc.asyncio.Process;      // by name: java.lang.Process is imported implicitly

            public class Service {
                public static void main(String[] args) {
                    int code = Asyncio.run(() -> {
                        EventLoop loop = Asyncio.getRunningLoop();
                        Event stopping = new Event();
                        loop.addSignalHandler(Process.SIGTERM, () -> {
                            System.out.println("SIGTERM: stopping");
                            stopping.set();
                        });
                        int[] ticks = {0};
                        Task<Void> worker = Asyncio.createTask(() -> {
                            try {
                                for (;;) {
                                    ticks[0]++;
                                    Asyncio.sleep(Duration.ofMillis(5));
                                }
                            } catch (CancelledError e) {
                                System.out.println("worker: finishing its work");
                                throw e;
                            }
                        });
                        System.out.println("serving " + ProcessHandle.current().pid());
                        stopping.await();
                        worker.cancel();
                        try {
                            worker.await();
                        } catch (CancelledError expected) {
                            System.out.println("worker: stopped after " + (ticks[0] > 0 ? "some" : "no") + " ticks");
                        }
                        System.out.println("handler removed: " + loop.removeSignalHandler(Process.SIGTERM));
                        return 7;
                    });
                    System.out.println("stopped gracefully");
                    System.exit(code);
                }
            }
            """;

    @Test
    void sigtermStopsServiceGracefully(@TempDir Path dir) throws Exception {
        Path src = dir.resolve("Service.java");
        Files.writeString(src, SERVICE);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String modulePath = System.getProperty("jdk.module.path");
        if (modulePath != null && !modulePath.isEmpty()) {
            cmd.addAll(List.of("--module-path", modulePath, "--add-modules", "dev.pyconc.async",
                    "--enable-native-access=io.netty.common,dev.pyconc.async"));
        } else {
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "--enable-native-access=ALL-UNNAMED"));
        }
        cmd.add(src.toString());
        java.lang.Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            List<String> lines = new ArrayList<>();
            String first;
            while ((first = out.readLine()) != null && !first.startsWith("serving ")) {
                lines.add(first);                     // anything before would be an unexpected line
            }
            assertEquals("serving " + child.pid(), first, "before it: " + lines);
            java.lang.Process kill = new ProcessBuilder("kill", "-TERM", Long.toString(child.pid())).start();
            assertEquals(0, kill.waitFor());
            for (String l; (l = out.readLine()) != null; ) {
                lines.add(l);
            }
            assertTrue(child.waitFor(60, TimeUnit.SECONDS));
            assertEquals(List.of(
                    "SIGTERM: stopping",
                    "worker: finishing its work",
                    "worker: stopped after some ticks",
                    "handler removed: true",
                    "stopped gracefully"), lines);
            assertEquals(7, child.exitValue(), "the service's own exit code, not 143 (the JVM's exit on SIGTERM)");
        } finally {
            child.destroyForcibly();
        }
    }
}
