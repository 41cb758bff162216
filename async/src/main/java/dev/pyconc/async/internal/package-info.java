/**
 * Internals of pyconc's async module that need nothing of its public classes: the choice of the
 * Netty transport a loop runs on ({@link dev.pyconc.async.internal.NettyTransport}) and the idle
 * wait of an epoll loop on a virtual thread ({@link dev.pyconc.async.internal.EpollIdle}). Not
 * exported: not an API.
 *
 * <p>Code that needs a public class's non-public parts lives beside that class, package-private
 * (the Netty glue of the loop is {@code dev.pyconc.asyncio.NettyLoops}); this package imports no
 * public class of the module, and what it needs of a loop it receives as a parameter.
 */
package dev.pyconc.async.internal;
