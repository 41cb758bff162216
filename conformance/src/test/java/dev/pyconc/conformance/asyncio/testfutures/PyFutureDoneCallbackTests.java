package dev.pyconc.conformance.asyncio.testfutures;

import dev.pyconc.asyncio.Future;

/** test_asyncio/test_futures.py's {@code PyFutureDoneCallbackTests}: BaseFutureDoneCallbackTests for pyconc's Future. */
public class PyFutureDoneCallbackTests extends BaseFutureDoneCallbackTests {
    @Override
    protected Future<String> newFuture() {
        return new Future<>();
    }
}
