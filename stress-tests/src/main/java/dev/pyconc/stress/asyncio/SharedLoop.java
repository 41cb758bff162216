package dev.pyconc.stress.asyncio;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.EventLoop;

/** The event loop the asyncio stress tests share: one per JVM, running on a daemon thread. */
final class SharedLoop {
    static final EventLoop LOOP = Asyncio.newEventLoop();

    static {
        Thread runner = new Thread(LOOP::runForever, "stress-loop-runner");
        runner.setDaemon(true);
        runner.start();
    }

    private SharedLoop() {}
}
