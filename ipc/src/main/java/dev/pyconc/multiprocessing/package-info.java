/**
 * Python's {@code multiprocessing} for JVMs: processes, and locks, events, semaphores, conditions,
 * barriers, pipes and queues that work across processes through shared memory.
 *
 * <p>The synchronization primitives ({@link dev.pyconc.multiprocessing.Lock},
 * {@link dev.pyconc.multiprocessing.RLock}, {@link dev.pyconc.multiprocessing.Semaphore},
 * {@link dev.pyconc.multiprocessing.BoundedSemaphore}, {@link dev.pyconc.multiprocessing.Event},
 * {@link dev.pyconc.multiprocessing.Condition}, {@link dev.pyconc.multiprocessing.Barrier}) and the
 * shared numbers ({@link dev.pyconc.multiprocessing.Value}, {@link dev.pyconc.multiprocessing.Array})
 * have the API of {@code dev.pyconc.threading} and live in files of {@code /dev/shm}; every process
 * that receives one (by Java serialization: it travels as a handle that attaches on arrival) uses the
 * same primitive. A process that dies holding one does not block the others: see
 * {@link dev.pyconc.multiprocessing.OwnerDiedError}. {@link dev.pyconc.multiprocessing.Pool} and
 * {@link dev.pyconc.multiprocessing.ProcessPoolExecutor} run tasks in worker processes; a worker
 * that dies fails the work it held with {@link dev.pyconc.multiprocessing.BrokenProcessPool}.
 *
 * <h2 id="MemoryVisibility">Memory Visibility</h2>
 * The guarantees of {@code java.util.concurrent} hold across processes, because every primitive is
 * built on volatile accesses and atomic read-modify-writes of the shared memory, which the hardware
 * orders for every mapping of it alike:
 * <ul>
 * <li>Actions in a thread prior to releasing a {@link dev.pyconc.multiprocessing.Lock},
 *     {@link dev.pyconc.multiprocessing.RLock} or {@link dev.pyconc.multiprocessing.Semaphore}
 *     <i>happen-before</i> actions following a successful acquire of the same primitive in another
 *     thread, of this process or another, including writes to a
 *     {@link dev.pyconc.multiprocessing.sharedmemory.SharedMemory} made under the lock.</li>
 * <li>Actions prior to {@link dev.pyconc.multiprocessing.Condition#signal()} (made holding the lock)
 *     happen-before the return of the {@link dev.pyconc.multiprocessing.Condition#await()} it wakes.</li>
 * <li>Actions prior to {@link dev.pyconc.multiprocessing.Event#set()} happen-before every
 *     {@link dev.pyconc.multiprocessing.Event#await()} that returns because of it and every
 *     {@link dev.pyconc.multiprocessing.Event#isSet()} that returns {@code true}.</li>
 * <li>Actions of each party prior to {@link dev.pyconc.multiprocessing.Barrier#await()}
 *     happen-before the barrier's action, which happens-before the return of {@code await()} in
 *     every party.</li>
 * <li>Actions in a thread prior to submitting work to a {@link dev.pyconc.multiprocessing.Pool}
 *     or a {@link dev.pyconc.multiprocessing.ProcessPoolExecutor} happen-before the work runs in a
 *     worker process (on copies of what it captures), whose actions happen-before the return of
 *     the {@link dev.pyconc.multiprocessing.AsyncResult#get()},
 *     {@link dev.pyconc.multiprocessing.IMapIterator#next()} or {@code Future.result()} that
 *     yields its result, and the running of its callbacks.</li>
 * <li>Each operation of a {@link dev.pyconc.multiprocessing.Value} or
 *     {@link dev.pyconc.multiprocessing.Array} element is a volatile access: a write happens-before
 *     every read, in any process, that sees it.</li>
 * </ul>
 */
package dev.pyconc.multiprocessing;
