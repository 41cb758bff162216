package dev.pyconc.examples.asyncio;

/** Runs every asyncio example in turn. */
public final class AsyncioTour {
    private AsyncioTour() {}

    public static void main(String[] args) {
        String[] none = {};
        section("GatherExample");
        GatherExample.main(none);
        section("ExecutorExample");
        ExecutorExample.main(none);
        section("QueueExample");
        QueueExample.main(none);
        section("TaskGroupExample");
        TaskGroupExample.main(none);
        section("ChannelPingPongExample");
        ChannelPingPongExample.main(none);
        section("HackysackExample");
        HackysackExample.main(none);
    }

    private static void section(String name) {
        System.out.println();
        System.out.println("== " + name);
    }
}
