package dev.pyconc.conformance.asyncio.testtasks;

/**
 * test_asyncio/test_tasks.py's {@code PyTask_PyFuture_Tests}: BaseTaskTests for pyconc's Task and
 * Future. CPython also runs BaseTaskTests for its C accelerator module's Task and Future, in each
 * combination and with subclasses of them (CTask_CFuture_Tests, CTask_CFuture_SubclassTests, ...);
 * pyconc has one Task, whose contract is the pure-Python one, so it runs once, here.
 */
public class PyTask_PyFuture_Tests extends BaseTaskTests {
}
