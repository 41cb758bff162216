package dev.pyconc.asyncio;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.util.ArrayDeque;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;

import dev.pyconc.builtins.ConnectionRefusedError;
import dev.pyconc.builtins.OSError;

/**
 * A datagram endpoint's transport: a Netty datagram channel registered on the loop's Netty loop,
 * whose handler runs on the loop thread holding the baton and calls the {@link DatagramProtocol}.
 *
 * <p>Extra info: {@code "sockname"} (the local {@link InetSocketAddress}), {@code "peername"} (the
 * remote one of a connected endpoint, else null), {@code "socket"} (the Netty
 * {@link DatagramChannel}).
 */
final class UdpTransport implements DatagramTransport, LoopThread.Resource {
    /** Python's header allowance per buffered datagram in get_write_buffer_size. */
    static final int HEADER_SIZE = 8;
    /** Python's LOG_THRESHOLD_FOR_CONNLOST_WRITES: the sends after the close from which one warning is logged each. */
    static final int LOG_THRESHOLD = 5;

    final EventLoop loop;
    final DatagramChannel channel;
    final SocketAddress address;                  // Python's _address: the remote address given, or null
    final boolean connected;                      // the socket is connected to `address` (not with allow_broadcast)
    private DatagramProtocol protocol;            // null until the endpoint is made
    private final ArrayDeque<Object> queued = new ArrayDeque<>();  // ByteBuf or DatagramPacket, sent at home
    private boolean flushScheduled;
    private boolean inReadBatch;                  // between the handler's channelRead and channelReadComplete
    private final Runnable flush = this::flushQueued;
    private final Runnable flushAfterRead = () -> {
        inReadBatch = false;
        if (flushScheduled) {
            flushQueued();
        }
    };
    private long bufferSize;                      // queued and in the channel, with HEADER_SIZE each
    private int highWater = StreamTransport.DEFAULT_HIGH_WATER;
    private int lowWater = StreamTransport.DEFAULT_HIGH_WATER / 4;
    private boolean writingPaused;                // the protocol's pauseWriting was called
    private boolean closing;                      // close() or abort() was called
    private boolean made;                         // connectionMade was called: connectionLost is due
    private boolean lost;                         // the channel is closed
    private int connLost;                         // Python's _conn_lost: sends dropped after the close, plus one
    private Exception closeError;                 // what connectionLost reports

    /*
     * Overview.
     *
     * Python's _SelectorDatagramTransport sends at once when its buffer is empty and buffers on
     * EAGAIN. Here a send made on the loop thread (a protocol callback) goes to the channel at
     * once too; a send of a task body is queued and handed to the channel when the baton comes
     * home (runAtHome), as SocketTransport's writes are, so a step's datagrams go out in one
     * flush. `bufferSize` counts the datagrams queued here and those the channel has not written
     * yet (each with Python's 8 bytes of header), decreased by the write's listener; it drives
     * pauseWriting above the high-water mark and resumeWriting at the low one, as Python's
     * _maybe_pause_protocol / _maybe_resume_protocol do. A close waits until it is zero.
     *
     * Errors follow Python: an OSError of a send or a receive (an ICMP port unreachable on a
     * connected endpoint is ConnectionRefusedError) goes to errorReceived and the endpoint stays
     * open; any other failure is fatal (exception handler, then close with it). An exception
     * thrown by datagramReceived goes to the exception handler and the endpoint stays open, as in
     * Python 3.13 (its _read_ready does not catch it: the callback's handle reports it).
     *
     * Every field is guarded by the baton: the handler and the write listeners run on the loop
     * thread while it holds it; task bodies call the transport while they hold it.
     */

    UdpTransport(EventLoop loop, DatagramChannel channel, SocketAddress address, boolean connected) {
        this.loop = loop;
        this.channel = channel;
        this.address = address;
        this.connected = connected;
    }

    /** Python's _conn_lost (tests). */
    int connLost() {
        return connLost;
    }

    Handler handler() {
        return new Handler();
    }

    /** The endpoint is ready: the protocol is called from now on (connectionMade, then reading). */
    void start(DatagramProtocol p) {
        protocol = p;
        made = true;
        try {
            p.connectionMade(this);
        } catch (RuntimeException e) {
            reportCallback("connectionMade", e);
        }
        if (!closing && !lost) {
            channel.config().setAutoRead(true);
        }
    }

    // ---------------------------------------------------------------- sending

    @Override
    public void sendto(byte[] data) {
        sendto(data, null);
    }

    @Override
    public void sendto(byte[] data, SocketAddress addr) {
        if (data == null) {
            throw new IllegalArgumentException("data argument must be a bytes-like object, not 'null'");
        }
        if (address != null) {
            if (addr != null && !addr.equals(address)) {
                throw new IllegalArgumentException("Invalid address: must be None or " + pyAddress(address));
            }
            addr = address;
        } else if (addr == null) {
            throw new IllegalArgumentException("sendto() needs an address: the endpoint has no remote address");
        }
        if (!(addr instanceof InetSocketAddress isa) || isa.isUnresolved()) {
            throw new IllegalArgumentException("addr must be a resolved InetSocketAddress (resolve names with "
                    + "loop.getaddrinfo), not " + addr);
        }
        if (closing || lost) {
            if (connLost >= LOG_THRESHOLD) {
                EventLoop.LOG.warn("socket.send() raised exception.");
            }
            connLost++;
            return;
        }
        if (data.length == 0) {
            return;                               // Netty's datagram channels never send an empty datagram
        }
        ByteBuf b = channel.alloc().directBuffer(data.length);
        b.writeBytes(data);
        queued.add(connected ? b : new DatagramPacket(b, isa));
        bufferSize += data.length + HEADER_SIZE;
        if (!flushScheduled) {
            flushScheduled = true;
            if (inReadBatch) {
                loop.loopThread.runAfterIo(flushAfterRead);     // unless channelReadComplete flushes first
            } else {
                loop.loopThread.runAtHome(flush);
            }
        }
        maybePause();
    }

    /** On the loop thread: hands the queued datagrams to the channel. */
    private void flushQueued() {
        flushScheduled = false;
        Object m;
        if (lost) {
            dropQueued();
            return;
        }
        boolean any = false;
        while ((m = queued.poll()) != null) {
            int size = (m instanceof DatagramPacket p ? p.content() : (ByteBuf) m).readableBytes() + HEADER_SIZE;
            ChannelFuture f = channel.write(m);
            any = true;
            f.addListener(done -> sent(size, done.cause()));
        }
        if (any) {
            channel.flush();
        }
    }

    /** A datagram left the channel's buffer, sent or failed: Python's _sendto_ready, one datagram. */
    private void sent(int size, Throwable failure) {
        bufferSize -= size;
        if (failure != null && !lost && !(failure instanceof java.nio.channels.ClosedChannelException)) {
            RuntimeException os = osError(failure);
            if (os != null) {
                errorReceived(os);
            } else {
                fatalError(failure, "Fatal write error on datagram transport");
                return;
            }
        }
        maybeResume();
        if (closing && bufferSize == 0 && queued.isEmpty() && !lost) {
            channel.close();
        }
    }

    private void dropQueued() {
        Object m;
        while ((m = queued.poll()) != null) {
            io.netty.util.ReferenceCountUtil.release(m);
        }
    }

    private void maybePause() {
        if (!writingPaused && bufferSize > highWater) {
            writingPaused = true;
            try {
                protocol.pauseWriting();
            } catch (RuntimeException e) {
                loop.callExceptionHandler(context("protocol.pause_writing() failed", e));
            }
        }
    }

    private void maybeResume() {
        if (writingPaused && bufferSize <= lowWater) {
            writingPaused = false;
            try {
                protocol.resumeWriting();
            } catch (RuntimeException e) {
                loop.callExceptionHandler(context("protocol.resume_writing() failed", e));
            }
        }
    }

    @Override
    public int getWriteBufferSize() {
        return (int) Math.min(Integer.MAX_VALUE, bufferSize);
    }

    // ---------------------------------------------------------------- closing

    @Override
    public boolean isClosing() {
        return closing || lost;
    }

    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        connLost++;
        loop.loopThread.runAtHome(() -> {
            channel.config().setAutoRead(false);
            flushQueued();
            if (bufferSize == 0) {
                channel.close();
            }
        });
    }

    @Override
    public void abort() {
        forceClose(null);
    }

    /** Python's _force_close: drop what is buffered, close, report {@code exc} to connectionLost. */
    private void forceClose(Exception exc) {
        if (lost || closing && closeError != null) {
            return;
        }
        if (!closing) {
            connLost++;
        }
        closing = true;
        closeError = exc;
        dropQueued();
        loop.loopThread.runAtHome(channel::close);
    }

    /** Python's _fatal_error: an OSError is only logged at debug level; anything else is reported; then closed. */
    private void fatalError(Throwable e, String message) {
        RuntimeException os = osError(e);
        if (os != null) {
            EventLoop.LOG.debug("{}: {}", this, message, e);
        } else {
            loop.callExceptionHandler(context(message, e));
        }
        forceClose(e instanceof Exception x ? x : new RuntimeException(e));
    }

    @Override
    public void closeForLoop() {
        closing = true;
        dropQueued();
        channel.close();
    }

    // ---------------------------------------------------------------- the rest of the API

    @Override
    public Object getExtraInfo(String name) {
        return switch (name) {
            case "sockname" -> channel.localAddress();
            case "peername" -> connected ? channel.remoteAddress() : null;
            case "socket" -> channel;
            default -> null;
        };
    }

    @Override
    public void setProtocol(BaseProtocol p) {
        if (!(p instanceof DatagramProtocol d)) {
            throw new IllegalArgumentException("a datagram transport needs a DatagramProtocol, not " + p);
        }
        protocol = d;
    }

    @Override
    public BaseProtocol getProtocol() {
        return protocol;
    }

    @Override
    public String toString() {
        return "UdpTransport[" + channel + (closing ? " closing" : "") + (lost ? " lost" : "") + "]";
    }

    // ---------------------------------------------------------------- helpers

    private java.util.Map<String, Object> context(String message, Throwable e) {
        var c = EventLoop.context(message, e, "transport", this);
        c.put("protocol", protocol);
        return c;
    }

    private void reportCallback(String callback, RuntimeException e) {
        loop.callExceptionHandler(context("Exception in callback DatagramProtocol." + callback + "()", e));
    }

    private void errorReceived(RuntimeException os) {
        try {
            protocol.errorReceived(os);
        } catch (RuntimeException e) {
            reportCallback("errorReceived", e);
        }
    }

    /**
     * The builtin OSError of Python for an I/O failure of the socket, or null when {@code e} is not
     * one. A port unreachable (ICMP) is ConnectionRefusedError, as the kernel's ECONNREFUSED is in Python.
     */
    static RuntimeException osError(Throwable e) {
        if (e instanceof OSError o) {
            return o;
        }
        while ((e instanceof UncheckedIOException || e instanceof java.util.concurrent.CompletionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (!(e instanceof IOException io)) {
            return null;
        }
        String m = String.valueOf(io.getMessage());
        if (io instanceof PortUnreachableException || m.contains("Connection refused")) {
            return new ConnectionRefusedError("[Errno 111] Connection refused", io);
        }
        return new OSError(pyMessage(m), io);
    }

    private static final java.util.regex.Pattern NATIVE = java.util.regex.Pattern.compile(".*error\\(-(\\d+)\\): (.*)");

    /** Netty's native "bind(..) failed with error(-98): Address already in use" as Python's "[Errno 98] Address already in use". */
    static String pyMessage(String m) {
        var matcher = NATIVE.matcher(m);
        return matcher.matches() ? "[Errno " + matcher.group(1) + "] " + matcher.group(2) : m;
    }

    /** An address as Python prints it: ('127.0.0.1', 9999). */
    static String pyAddress(SocketAddress a) {
        if (a instanceof InetSocketAddress i) {
            String host = i.isUnresolved() ? i.getHostString() : i.getAddress().getHostAddress();
            if (i.getAddress() instanceof java.net.Inet6Address) {
                return "('" + host.replaceAll("%.*", "") + "', " + i.getPort() + ", 0, 0)";
            }
            return "('" + host + "', " + i.getPort() + ")";
        }
        return String.valueOf(a);
    }

    /** The channel's handler: on the loop thread, holding the baton. */
    final class Handler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            DatagramPacket p = (DatagramPacket) msg;
            byte[] data;
            SocketAddress from;
            try {
                ByteBuf b = p.content();
                data = new byte[b.readableBytes()];
                b.readBytes(data);
                from = p.sender() != null ? p.sender() : channel.remoteAddress();
            } finally {
                p.release();
            }
            if (lost || closing || protocol == null) {
                return;
            }
            inReadBatch = true;
            try {
                protocol.datagramReceived(data, from);
            } catch (RuntimeException e) {
                reportCallback("datagramReceived", e);
            }
        }

        /** The end of a batch of reads: the datagrams sent while reading go out in one flush (sendmmsg where it can). */
        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (inReadBatch) {
                inReadBatch = false;
                if (flushScheduled) {
                    flushQueued();
                }
            }
            ctx.fireChannelReadComplete();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (lost || protocol == null) {
                return;
            }
            RuntimeException os = osError(cause);
            if (os != null) {
                errorReceived(os);
            } else {
                fatalError(cause, "Fatal read error on datagram transport");
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            lost = true;
            dropQueued();
            loop.loopThread.disown(UdpTransport.this);
            if (made) {
                if (writingPaused) {
                    writingPaused = false;
                }
                try {
                    protocol.connectionLost(closeError);
                } catch (RuntimeException e) {
                    reportCallback("connectionLost", e);
                }
            }
        }
    }
}
