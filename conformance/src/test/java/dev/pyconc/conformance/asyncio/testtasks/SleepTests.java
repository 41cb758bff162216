package dev.pyconc.conformance.asyncio.testtasks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.EventLoop;

/** test_asyncio/test_tasks.py's {@code SleepTests}. */
public class SleepTests {
    private EventLoop loop;

    @BeforeEach
    void setUp() {
        loop = Asyncio.newEventLoop();
    }

    @AfterEach
    void tearDown() {
        loop.close();
    }

    /** sleep(0, result) runs the callbacks due and returns the result. */
    @Test
    @DisplayName("test_sleep_zero")
    void testSleepZero() {
        int[] result = {0};
        loop.runUntilComplete(() -> {
            loop.callSoon(() -> result[0] += 1);
            assertEquals(0, result[0]);
            int num = Asyncio.sleep(Duration.ZERO, 10);
            assertEquals(1, result[0]);
            result[0] += num;
            return null;
        });
        assertEquals(11, result[0]);
    }
}
