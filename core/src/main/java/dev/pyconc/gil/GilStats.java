package dev.pyconc.gil;

import java.time.Duration;

/**
 * A snapshot of the GIL's counters since the JVM started, as returned by {@link Gil#stats()}.
 * CPython keeps the same counters internally (ceval_gil.c) without exposing them.
 *
 * @param acquisitions how many times any thread took the GIL
 * @param switches     how many times the GIL was taken by a thread other than its last holder
 * @param dropRequests how many times a waiter asked the holder to drop the GIL after waiting a
 *                     whole switch interval (CPython's {@code gil_drop_request})
 * @param forcedDrops  how many times a holder dropped the GIL because of such a request and
 *                     waited for another thread to take it (CPython's {@code FORCE_SWITCHING})
 * @param waitTime     the total time threads spent waiting to take the GIL
 */
public record GilStats(long acquisitions, long switches, long dropRequests, long forcedDrops, Duration waitTime) {
}
