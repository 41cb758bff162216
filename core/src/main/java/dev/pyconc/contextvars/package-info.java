/**
 * Python's {@code contextvars} module: context variables ({@link dev.pyconc.contextvars.ContextVar}),
 * whose value depends on the {@link dev.pyconc.contextvars.Context} the code runs in. Each thread
 * has a current context (a new empty one for a new thread, as in Python 3.13); each asyncio task
 * runs in a copy of the context that was current when it was created.
 *
 * <h2 id="MemoryVisibility">Memory Visibility</h2>
 * Actions in a thread prior to {@code ContextVar.set} <i>happen-before</i> a read of that value
 * through the same {@link dev.pyconc.contextvars.Context} in another thread
 * ({@code ctx.get(var)}, or {@code var.get()} inside {@code ctx.run}); actions prior to the end
 * of {@code ctx.run} <i>happen-before</i> another thread's {@code ctx.run} of the same context
 * starts.
 */
package dev.pyconc.contextvars;
