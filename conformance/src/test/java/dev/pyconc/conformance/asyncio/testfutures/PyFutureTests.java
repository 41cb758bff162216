package dev.pyconc.conformance.asyncio.testfutures;

import dev.pyconc.asyncio.Future;

/**
 * test_asyncio/test_futures.py's {@code PyFutureTests}: BaseFutureTests for pyconc's Future.
 * CPython also runs BaseFutureTests as CFutureTests and CSubFutureTests for its C accelerator
 * module; pyconc has one implementation, whose contract is the pure-Python one, so it runs once,
 * here.
 */
public class PyFutureTests extends BaseFutureTests {
    @Override
    protected <T> Future<T> newFuture() {
        return new Future<>();
    }
}
