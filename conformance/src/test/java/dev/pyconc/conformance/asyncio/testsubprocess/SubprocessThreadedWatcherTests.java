package dev.pyconc.conformance.asyncio.testsubprocess;

/**
 * test_asyncio/test_subprocess.py's {@code SubprocessThreadedWatcherTests}: {@link SubprocessMixin}
 * with CPython's threaded child watcher, a thread per child that waits for its exit. pyconc
 * watches its children the same way, with the JDK's {@code Process.onExit()}, and has no other
 * watcher, so the mixin runs once, here (CPython's deprecated safe, fast and pidfd watchers have
 * no counterpart to run it with).
 */
public class SubprocessThreadedWatcherTests extends SubprocessMixin {
}
