package dev.pyconc.conformance.testthreading;

/**
 * test_threading's {@code BaseTestCase}: as lock_tests' (CPython's two are the same), after each
 * test no thread the test started is left alive.
 */
abstract class BaseTestCase extends dev.pyconc.conformance.locktests.BaseTestCase {
}
