/**
 * Internals of pyconc's asyncio that its own transports build on: the Netty event loop under an
 * {@link dev.pyconc.asyncio.EventLoop} and the bridge from Netty's futures to the loop's one way of
 * waiting. Not exported: not an API.
 */
package dev.pyconc.async.internal;
