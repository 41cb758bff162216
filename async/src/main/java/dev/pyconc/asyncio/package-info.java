/**
 * Python's {@code asyncio}: an event loop on Netty, tasks whose bodies run on virtual threads one
 * at a time per loop, and the futures, synchronization primitives, queues and streams around them.
 */
package dev.pyconc.asyncio;
