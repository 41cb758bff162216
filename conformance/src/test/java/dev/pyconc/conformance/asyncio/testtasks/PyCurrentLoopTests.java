package dev.pyconc.conformance.asyncio.testtasks;

/** test_asyncio/test_tasks.py's {@code PyCurrentLoopTests}: BaseCurrentLoopTests for pyconc's Task. */
public class PyCurrentLoopTests extends BaseCurrentLoopTests {
}
