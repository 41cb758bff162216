package dev.pyconc.conformance.testmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.multiprocessing.AsyncResult;
import dev.pyconc.multiprocessing.PicklingError;
import dev.pyconc.multiprocessing.Pool;

/**
 * _test_multiprocessing.py's {@code _TestPoolWorkerErrors}, which CPython runs for processes only,
 * as pyconc's workers are.
 */
class _TestPoolWorkerErrors {
    @BeforeAll
    static void setUpModule() {
        Mp2Support.setUpModule();
    }

    /** CPython's {@code raising()}: {@code KeyError("key")}, a lookup that found nothing. */
    static Object raising() {
        throw new NoSuchElementException("key");
    }

    /** CPython's {@code unpickleable_result()}: a function, which cannot travel back. */
    static Object unpickleableResult() {
        IntSupplier f = () -> 42;
        return f;
    }

    @Test
    @DisplayName("test_async_error_callback")
    void testAsyncErrorCallback() {
        Pool p = new Pool(2);
        AtomicReference<Throwable> scratchpad = new AtomicReference<>();
        AsyncResult<Object> res = p.applyAsync(_TestPoolWorkerErrors::raising, null, scratchpad::set);
        assertThrows(NoSuchElementException.class, res::get);
        assertInstanceOf(NoSuchElementException.class, scratchpad.get());
        p.close();
        p.join();
    }

    /**
     * A result that cannot be pickled fails its task (Python's MaybeEncodingError, with the error
     * and the value, is pyconc's PicklingError naming the value's class) and costs the pool no
     * worker: twenty in a row, on two workers.
     */
    @Test
    @DisplayName("test_unpickleable_result")
    void testUnpickleableResult() {
        Pool p = new Pool(2);
        // Make sure we don't lose pool processes because of encoding errors.
        for (int iteration = 0; iteration < 20; iteration++) {
            AtomicReference<Throwable> scratchpad = new AtomicReference<>();
            AsyncResult<Object> res = p.applyAsync(_TestPoolWorkerErrors::unpickleableResult, null, scratchpad::set);
            assertThrows(PicklingError.class, res::get);
            PicklingError wrapped = assertInstanceOf(PicklingError.class, scratchpad.get());
            assertNotNull(wrapped.getMessage());
            org.junit.jupiter.api.Assertions.assertTrue(wrapped.getMessage().contains("_TestPoolWorkerErrors"),
                    wrapped.getMessage());
        }
        p.close();
        p.join();
    }
}
