package dev.pyconc.conformance.asyncio.testtaskgroups;

/**
 * test_asyncio/test_taskgroups.py's {@code TestTaskGroup}: BaseTestTaskGroup on pyconc's event
 * loop. ({@code TestEagerTaskTaskGroup} runs the same tests with the eager task factory, which
 * pyconc does not have.)
 */
public class TestTaskGroup extends BaseTestTaskGroup {
}
