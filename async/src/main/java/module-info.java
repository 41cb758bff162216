/**
 * pyconc async: Python's {@code asyncio} on a Netty event loop, with task bodies on virtual threads.
 */
module dev.pyconc.async {
    requires transitive dev.pyconc.core;
    requires io.netty.common;
    requires io.netty.buffer;
    requires io.netty.transport;
    requires io.netty.transport.classes.epoll;
    requires io.netty.transport.unix.common;
    requires io.netty.handler;
    requires io.netty.codec;
    requires org.slf4j;
    requires jdk.unsupported;          // sun.misc.Signal, for loop.addSignalHandler

    exports dev.pyconc.asyncio;
    exports dev.pyconc.ssl;
}
