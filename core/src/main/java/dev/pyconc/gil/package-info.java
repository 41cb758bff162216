/**
 * pyconc's optional global interpreter lock, mirroring CPython's (ceval_gil.c): see {@link dev.pyconc.gil.Gil}.
 *
 * <h2 id="MemoryVisibility">Memory Visibility</h2>
 * The GIL is a lock: actions of a thread before it drops the GIL (at a checkpoint, before a
 * blocking call, at the end of an attached scope) <i>happen-before</i> actions of the next thread
 * that takes it. This orders attached threads while GIL mode is on; it is not a substitute for
 * the primitives of {@link dev.pyconc.threading}, since GIL mode can be turned off, and code that
 * is correct only under the GIL is as fragile in pyconc as it is in CPython.
 */
package dev.pyconc.gil;
