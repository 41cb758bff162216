package dev.pyconc.multiprocessing;

import java.io.Serializable;

/**
 * A {@link Runnable} that is also {@link Serializable}: the target of a {@link Process}, which
 * travels to the child JVM by Java serialization, as Python pickles a process's target.
 *
 * <p>A lambda or method reference whose target type is this interface is serializable, and so are
 * the values it captures, provided each of them is:
 *
 * <pre> {@code
 * int rounds = 3;
 * SerializableRunnable work = () -> crunch(rounds);     // captures an int: serializable
 * new Process(work).start();
 * }</pre>
 *
 * <p>The class that declares the lambda (and every class it captures) must be loadable in the
 * child, which runs with the parent's class path and module path: classes generated at run time
 * or loaded by a custom class loader cannot travel.
 *
 * <p>Memory consistency effects: none; the child runs a copy made when the process starts.
 */
@FunctionalInterface
public interface SerializableRunnable extends Runnable, Serializable {}
