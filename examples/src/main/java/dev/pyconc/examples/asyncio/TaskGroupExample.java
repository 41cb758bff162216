package dev.pyconc.examples.asyncio;

import java.time.Duration;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.CancelledError;
import dev.pyconc.asyncio.TaskGroup;
import dev.pyconc.builtins.ExceptionGroup;

/**
 * A {@link TaskGroup} with a failing task: the failure cancels the other tasks of the group and
 * the block's body, and leaves the block as an {@link ExceptionGroup}. Python 3.11:
 * {@code async with asyncio.TaskGroup() as tg: ...} with {@code except* ValueError}.
 */
public final class TaskGroupExample {
    private TaskGroupExample() {}

    static String fetch(String what, Duration took) {
        try {
            Asyncio.sleep(took);
            System.out.println("  fetched " + what);
            return what;
        } catch (CancelledError e) {
            System.out.println("  " + what + " cancelled because a sibling failed");
            throw e;
        }
    }

    public static void main(String[] args) {
        Asyncio.run(() -> {
            try {
                TaskGroup.run(tg -> {
                    tg.createTask(() -> fetch("user", Duration.ofMillis(50)));
                    tg.createTask(() -> fetch("orders", Duration.ofSeconds(10)));
                    tg.createTask(() -> {
                        Asyncio.sleep(Duration.ofMillis(100));
                        throw new IllegalArgumentException("invoice service said no");
                    });
                    try {
                        Asyncio.sleep(Duration.ofSeconds(10));
                        System.out.println("  not reached");
                    } catch (CancelledError e) {
                        System.out.println("  the block's body is cancelled too");
                        throw e;
                    }
                });
            } catch (ExceptionGroup eg) {
                System.out.println("TaskGroup raised " + eg.getMessage() + ":");
                ExceptionGroup valueErrors = eg.subgroup(IllegalArgumentException.class);   // except* ValueError
                for (Throwable e : valueErrors.exceptions()) {
                    System.out.println("  " + e);
                }
            }
            return null;
        });
    }
}
