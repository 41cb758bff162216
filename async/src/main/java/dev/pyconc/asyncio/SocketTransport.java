package dev.pyconc.asyncio;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.Map;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.ReferenceCountUtil;

/**
 * The transport of a TCP or Unix socket connection: Python's selector socket transport
 * ({@code _SelectorSocketTransport}) on a Netty channel of the loop's Netty loop. Its handler
 * ({@link Handler}) runs on the loop thread holding the baton and calls the protocol: a
 * {@link Protocol} gets a copy of each read, a {@link BufferedProtocol} the bytes copied into its
 * own buffer, and the streams' {@link StreamReaderProtocol} the channel's buffers themselves.
 *
 * <p>Extra info: {@code "peername"} and {@code "sockname"} (an {@link InetSocketAddress}, or the
 * path as a {@code String} for a Unix socket, {@code ""} when unnamed, as in Python) and
 * {@code "socket"} (the Netty {@link Channel}).
 */
final class SocketTransport implements Transport, LoopThread.Resource {
    /** Options every stream socket gets: Python's TCP_NODELAY, half-closure for writeEof/at EOF, its water marks. */
    static void configure(Channel ch) {
        if (ch instanceof io.netty.channel.socket.SocketChannel) {      // not a Unix socket
            ch.config().setOption(ChannelOption.TCP_NODELAY, true);
        }
        if (ch.config() instanceof io.netty.channel.socket.DuplexChannelConfig d) {
            d.setAllowHalfClosure(true);           // (NIO's Unix socket config ignores the option form)
        } else {
            ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        }
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(DEFAULT_HIGH_WATER / 4, DEFAULT_HIGH_WATER));
    }

    final EventLoop loop;
    final Channel channel;
    private BaseProtocol protocol;               // a Protocol or a BufferedProtocol
    private StreamReaderProtocol streams;        // the protocol when it is the streams' one: fed ByteBufs
    private final ArrayDeque<ByteBuf> queued = new ArrayDeque<>();  // written by bodies, not yet given to the channel
    private int queuedBytes;
    private int highWater = DEFAULT_HIGH_WATER;
    private int lowWater = DEFAULT_HIGH_WATER / 4;
    private boolean flushScheduled;
    private boolean inReadBatch;                 // between the handler's channelRead and channelReadComplete
    private final Runnable flush = this::flushQueued;
    private final Runnable flushAfterRead = () -> {
        inReadBatch = false;
        if (flushScheduled) {
            flushQueued();
        }
    };
    private boolean protocolPaused;              // pauseWriting() was called, resumeWriting() not yet
    private boolean paused;                      // pauseReading() (Python's _paused)
    private ArrayDeque<ByteBuf> held;            // reads that arrived while paused, delivered on resume
    private boolean heldEof;                     // the end of the stream arrived while paused
    private boolean closing;                     // close(), abort() or a fatal error (Python's _closing)
    private boolean eofWritten;
    private boolean lost;                        // connectionLost was called
    private boolean made;                        // connectionMade was called: connectionLost will be
    private int lostWrites;
    private Throwable error;                     // what the channel or a protocol callback failed with
    private Server server;                       // the server that accepted it, or null
    private boolean sendfileInProgress;          // loop.sendfile's native path owns the socket's output
    private Runnable onMade;                     // createConnection's wake-up, run after connectionMade
    private Object peername;                     // taken when connected, as Python's constructor does
    private Object sockname;
    private final boolean serverSide;            // accepted by a server: a TLS upgrade takes the server's part
    private final String host;                   // the host a client connected to (the name TLS checks), or null
    io.netty.handler.ssl.SslHandler tls;         // the TLS layer in front of the handler, or null (see Tls)
    private SslOptions tlsOptions;
    private boolean eofSeen;                     // over TLS: the protocol had its eofReceived (close_notify or EOF)

    SocketTransport(EventLoop loop, Channel channel, BaseProtocol protocol, boolean serverSide, String host) {
        this.loop = loop;
        this.channel = channel;
        this.serverSide = serverSide;
        this.host = host;
        setProtocol(protocol);
    }

    /*
     * Overview. Every method runs holding the loop's baton: on the loop thread (the handler,
     * callbacks) or in a task body. Channel work of task bodies goes through runAtHome. Writes are
     * queued here and handed to the channel in one flush when the baton comes home; the queue and
     * the channel's outbound buffer together are the write buffer of Python. Flow control
     * (Python's _maybe_pause_protocol / _maybe_resume_protocol): a write that takes the buffer
     * above the high mark calls pauseWriting(); the channel's water marks are the same as ours, so
     * the queue handed to the channel makes it unwritable, and Netty's writability event when it
     * drains below the low mark calls resumeWriting(). Reads that arrive while reading is paused
     * (a read already in Netty's pipeline) are held and delivered, in order, after resumeReading().
     */

    void attachTo(Server s) {
        this.server = s;
    }

    /** The connection now runs over TLS (called by {@link Tls#install} only). */
    void useTls(io.netty.handler.ssl.SslHandler h, SslOptions o) {
        this.tls = h;
        this.tlsOptions = o;
    }

    /** Python's start_tls on this connection, for a task body: see {@link Tls#startTls}. */
    void startTls(SslOptions o) {
        Tls.startTls(this, o, serverSide, host, null);
    }

    /** loop.start_tls: as {@link #startTls(SslOptions)}, taking the given part and giving reads to {@code p} from then on. */
    void startTls(SslOptions o, boolean asServer, BaseProtocol p) {
        Tls.startTls(this, o, asServer, asServer ? null : host, p);
    }

    /** Whether connectionMade was called (over TLS: whether the handshake succeeded). */
    boolean connectionMade() {
        return made;
    }

    /** Why a TLS connection closed before its handshake was done, as Python's exception. */
    RuntimeException handshakeError() {
        Throwable e = error;
        return e == null ? new dev.pyconc.builtins.ConnectionResetError("Connection lost") : Tls.translate(e, tlsOptions);
    }

    /** Hands the queued writes to the channel now (on the loop thread): what start_tls sends in the clear. */
    void flushNow() {
        flushQueued();
    }

    void onMade(Runnable r) {
        this.onMade = r;
    }

    Handler handler() {
        return new Handler();
    }

    // ---------------------------------------------------------------- BaseTransport

    @Override
    public Object getExtraInfo(String name) {
        if (name == null) {
            throw new IllegalArgumentException("name must not be null");
        }
        if (tls != null) {
            Object v = Tls.extraInfo(tls, tlsOptions, name);
            if (v != Tls.NOT_TLS) {
                return v;
            }
        }
        return switch (name) {
            case "peername" -> peername != null ? peername : address(channel.remoteAddress());
            case "sockname" -> sockname != null ? sockname : address(channel.localAddress());
            case "socket" -> channel;
            default -> null;
        };
    }

    /** Python's address values: an InetSocketAddress, or a Unix socket's path as a string ("" unnamed). */
    static Object address(SocketAddress a) {
        if (a instanceof DomainSocketAddress d) {
            return d.path() == null ? "" : d.path();
        }
        if (a instanceof UnixDomainSocketAddress u) {
            return u.getPath().toString();
        }
        return a;
    }

    @Override
    public boolean isClosing() {
        return closing || lost;
    }

    @Override
    public void setProtocol(BaseProtocol protocol) {
        if (!(protocol instanceof Protocol) && !(protocol instanceof BufferedProtocol)) {
            throw new IllegalArgumentException("a stream transport's protocol must be a Protocol or a BufferedProtocol, not "
                    + (protocol == null ? "null" : protocol.getClass().getName()));
        }
        this.protocol = protocol;
        this.streams = protocol instanceof StreamReaderProtocol s ? s : null;
    }

    @Override
    public BaseProtocol getProtocol() {
        return protocol;
    }

    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        loop.loopThread.runAtHome(() -> {
            flushQueued();
            // Over TLS the peer's close_notify must still be read (what else comes is dropped).
            channel.config().setAutoRead(tls != null);
            if (channel.isActive()) {
                channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            } else {
                channel.close();
            }
        });
    }

    // ---------------------------------------------------------------- WriteTransport

    @Override
    public void write(byte[] data, int off, int len) {
        if (data == null) {
            throw new IllegalArgumentException("data must not be null");
        }
        if (off < 0 || len < 0 || off > data.length - len) {
            throw new IllegalArgumentException("range [" + off + ", " + off + "+" + len + ") is not inside an array of " + data.length);
        }
        if (eofWritten && !closing && !lost) {
            throw new IllegalStateException("Cannot call write() after writeEof()");
        }
        if (len == 0) {
            return;
        }
        if (sendfileInProgress) {
            throw new IllegalStateException("unable to write; sendfile is in progress");
        }
        if (closing || lost) {
            if (++lostWrites == 5) {             // Python: LOG_THRESHOLD_FOR_CONNLOST_WRITES
                EventLoop.LOG.warn("socket.send() raised exception: writes to a closed {} are dropped", this);
            }
            return;
        }
        ByteBuf b = channel.alloc().directBuffer(len);
        b.writeBytes(data, off, len);
        queued.add(b);
        queuedBytes += len;
        if (!flushScheduled) {
            flushScheduled = true;
            if (inReadBatch) {
                loop.loopThread.runAfterIo(flushAfterRead);     // unless channelReadComplete flushes first
            } else {
                loop.loopThread.runAtHome(flush);
            }
        }
        if (!protocolPaused && queuedBytes + pendingBytes() > highWater) {
            pauseProtocol();
        }
    }

    /** On the loop thread: hand the queued writes to the channel and flush them. */
    private void flushQueued() {
        flushScheduled = false;
        ByteBuf b;
        if (lost || !channel.isActive()) {
            while ((b = queued.poll()) != null) {
                b.release();
            }
            queuedBytes = 0;
            return;
        }
        if (queued.isEmpty()) {
            return;
        }
        while ((b = queued.poll()) != null) {
            channel.write(b, channel.voidPromise());
        }
        queuedBytes = 0;
        channel.flush();
        maybeResumeProtocol();
    }

    private long pendingBytes() {
        ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
        return out == null ? 0 : out.totalPendingWriteBytes();
    }

    private void pauseProtocol() {
        protocolPaused = true;
        try {
            protocol.pauseWriting();
        } catch (Exception e) {
            loop.callExceptionHandler(context("protocol.pause_writing() failed", e));
        }
    }

    private void maybeResumeProtocol() {
        if (protocolPaused && queuedBytes + pendingBytes() <= lowWater) {
            protocolPaused = false;
            try {
                protocol.resumeWriting();
            } catch (Exception e) {
                loop.callExceptionHandler(context("protocol.resume_writing() failed", e));
            }
        }
    }

    /** Whether the protocol was told to pause writing and not to resume yet. */
    boolean protocolPaused() {
        return protocolPaused;
    }

    /** loop.sendfile's native path: after what was written, the kernel copies {@code region} to the socket. */
    void sendRegion(io.netty.channel.FileRegion region, io.netty.channel.ChannelPromise done) {
        sendfileInProgress = true;
        done.addListener(f -> sendfileInProgress = false);     // on the loop thread, holding the baton
        loop.loopThread.runAtHome(() -> {
            flushQueued();
            channel.writeAndFlush(region, done);
        });
    }

    @Override
    public void writeEof() {
        if (tls != null) {
            throw new UnsupportedOperationException("SSL doesn't support half-closes");
        }
        if (closing || eofWritten || lost) {
            return;
        }
        eofWritten = true;
        loop.loopThread.runAtHome(() -> {
            flushQueued();
            if (channel.isActive()) {
                channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> ((DuplexChannel) channel).shutdownOutput());
            }
        });
    }

    @Override
    public boolean canWriteEof() {
        return tls == null && channel instanceof DuplexChannel;
    }

    @Override
    public void abort() {
        forceClose(null);
    }

    /** Python's _force_close: closes at once, dropping the buffer; connectionLost(exc) follows. */
    private void forceClose(Throwable exc) {
        if (lost) {
            return;
        }
        if (exc != null && error == null) {
            error = exc;
        }
        closing = true;
        loop.loopThread.runAtHome(() -> {
            ByteBuf b;
            while ((b = queued.poll()) != null) {
                b.release();
            }
            queuedBytes = 0;
            var tlsContext = tls == null ? null : channel.pipeline().context(tls);
            if (tlsContext != null) {
                tlsContext.close();     // past the TLS layer: no close_notify, no wait for the peer's
            } else {
                channel.close();
            }
        });
    }

    @Override
    public int getWriteBufferSize() {
        return (int) Math.min(Integer.MAX_VALUE, queuedBytes + pendingBytes());
    }

    @Override
    public Limits getWriteBufferLimits() {
        return new Limits(lowWater, highWater);
    }

    @Override
    public void setWriteBufferLimits(int high, int low) {
        if (high < 0 || low < 0 || low > high) {
            throw new IllegalArgumentException("high (" + high + ") must be >= low (" + low + ") >= 0");
        }
        highWater = high;
        lowWater = low;
        loop.loopThread.runAtHome(() -> channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(low, high)));
        if (!protocolPaused && getWriteBufferSize() > highWater) {
            pauseProtocol();
        }
    }

    // ---------------------------------------------------------------- ReadTransport

    @Override
    public boolean isReading() {
        return !paused && !closing && !lost;
    }

    @Override
    public void pauseReading() {
        if (!isReading()) {
            return;
        }
        paused = true;
        loop.loopThread.runAtHome(() -> channel.config().setAutoRead(false));
    }

    @Override
    public void resumeReading() {
        if (closing || lost || !paused) {
            return;
        }
        paused = false;
        if (held != null && (!held.isEmpty() || heldEof)) {
            loop.callSoon(this::deliverHeld);           // later, never inside the callback that resumed
        }
        loop.loopThread.runAtHome(() -> {
            if (!closing && !paused && channel.isActive() && !(channel instanceof DuplexChannel d && d.isInputShutdown())) {
                channel.config().setAutoRead(true);             // (after the peer's EOF there is nothing left to read)
            }
        });
    }

    private void deliverHeld() {
        ByteBuf b;
        while (!paused && !closing && !lost && (b = held.poll()) != null) {
            deliver(b);
        }
        if (heldEof && !paused && !closing && !lost && held.isEmpty()) {
            heldEof = false;
            eofReceived();
        }
    }

    // ---------------------------------------------------------------- the protocol's side

    /** Hands one read to the protocol; takes ownership of {@code buf}. */
    private void deliver(ByteBuf buf) {
        StreamReaderProtocol s = streams;
        if (s != null) {
            s.feed(buf);                           // zero-copy: the reader keeps the buffer
            return;
        }
        try {
            if (protocol instanceof Protocol p) {
                byte[] data = new byte[buf.readableBytes()];
                buf.readBytes(data);
                buf.release();
                buf = null;
                p.dataReceived(data);
            } else {
                BufferedProtocol bp = (BufferedProtocol) protocol;
                while (buf.isReadable() && !closing) {
                    ByteBuffer into = bp.getBuffer(buf.readableBytes());
                    if (into == null || !into.hasRemaining()) {
                        throw new IllegalStateException("getBuffer() returned an empty buffer");
                    }
                    int n = Math.min(into.remaining(), buf.readableBytes());
                    int limit = buf.readerIndex() + n;
                    ByteBuffer src = buf.nioBuffer(buf.readerIndex(), n);
                    into.put(src);
                    buf.readerIndex(limit);
                    bp.bufferUpdated(n);
                }
            }
        } catch (Exception e) {
            fatalError(e, protocol instanceof Protocol ? "Fatal error: protocol.data_received() call failed."
                    : "Fatal error: protocol.buffer_updated() call failed.");
        } finally {
            if (buf != null) {
                buf.release();
            }
        }
    }

    /** The peer wrote EOF: Python's _read_ready__on_eof. */
    private void eofReceived() {
        boolean keepOpen;
        try {
            keepOpen = protocol instanceof Protocol p ? p.eofReceived() : ((BufferedProtocol) protocol).eofReceived();
        } catch (Exception e) {
            fatalError(e, "Fatal error: protocol.eof_received() call failed.");
            return;
        }
        if (!keepOpen) {
            close();
        }
    }

    /** Python's _fatal_error: reports what is not an OSError to the exception handler and closes at once. */
    private void fatalError(Throwable e, String message) {
        if (!(e instanceof java.io.UncheckedIOException)) {
            loop.callExceptionHandler(context(message, e));
        } else {
            EventLoop.LOG.debug("{}: {}", this, message, e);
        }
        forceClose(e);
    }

    private Map<String, Object> context(String message, Throwable e) {
        Map<String, Object> c = EventLoop.context(message, e, "transport", this);
        c.put("protocol", protocol);
        return c;
    }

    /** Python's _call_connection_lost: once, after the channel closed. */
    private void connectionLost() {
        if (lost) {
            return;
        }
        lost = true;
        closing = true;
        ByteBuf b;
        while ((b = queued.poll()) != null) {
            b.release();
        }
        queuedBytes = 0;
        if (held != null) {
            while ((b = held.poll()) != null) {
                b.release();
            }
        }
        Throwable e = error;
        Exception exc = e == null || e instanceof ClosedChannelException ? null : StreamTransport.translate(e, false);
        try {
            if (made) {
                protocol.connectionLost(exc);
            }
        } catch (Exception x) {
            loop.callExceptionHandler(context("Exception in callback protocol.connection_lost()", x));
        } finally {
            loop.loopThread.disown(this);
            Server s = server;
            if (s != null) {
                s.detach(this);
            }
        }
    }

    @Override
    public void closeForLoop() {
        abort();
    }

    @Override
    public String toString() {
        return "SocketTransport[" + channel + (tls != null ? " tls" : "") + (closing ? " closing" : "") + (lost ? " lost" : "") + "]";
    }

    /** The channel's handler: on the loop thread, holding the baton. */
    final class Handler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            peername = address(channel.remoteAddress());
            sockname = address(channel.localAddress());
            if (tls == null) {
                makeConnection();
            }                                    // over TLS: once the handshake is done (userEventTriggered)
        }

        /** connectionMade, then createConnection's wake-up; reads that came first are delivered after it. */
        private void makeConnection() {
            made = true;
            try {
                if (protocol instanceof Protocol p) {
                    p.connectionMade(SocketTransport.this);
                } else {
                    ((BufferedProtocol) protocol).connectionMade(SocketTransport.this);
                }
            } catch (Exception e) {
                fatalError(e, "Fatal error: protocol.connection_made() call failed.");
            }
            Runnable r = onMade;
            if (r != null) {
                onMade = null;
                r.run();
            }
            if (held != null && !paused && (!held.isEmpty() || heldEof)) {
                loop.callSoon(SocketTransport.this::deliverHeld);
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (closing || lost) {
                ReferenceCountUtil.release(msg);
                return;
            }
            ByteBuf buf = (ByteBuf) msg;
            // Held while paused, before connectionMade (TLS data decoded with the handshake's last
            // read) and behind earlier held reads not yet delivered (a TLS read decodes several
            // records, which arrive after pauseReading and, once resumed, before deliverHeld runs).
            if (paused || !made || held != null && !held.isEmpty()) {
                if (held == null) {
                    held = new ArrayDeque<>();
                }
                held.add(buf);
                return;
            }
            inReadBatch = true;
            deliver(buf);
        }

        /** The end of a batch of reads: what the protocol wrote while reading goes out in one flush. */
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
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (tls != null) {
                tlsEvent(evt);
                ReferenceCountUtil.release(evt);
                return;
            }
            if (evt instanceof ChannelInputShutdownEvent && !closing && !lost) {
                if (paused) {
                    if (held == null) {
                        held = new ArrayDeque<>();
                    }
                    heldEof = true;
                } else {
                    eofReceived();
                }
            }
            ReferenceCountUtil.release(evt);
        }

        /**
         * The TLS layer's events: the handshake's end makes the connection (or records why it
         * failed: the channel then closes and connectionMade never runs); the peer's close_notify,
         * or an EOF without one, is the end of the stream, and TLS has no half-close: the
         * transport closes after the protocol's eofReceived, whatever it returns.
         */
        private void tlsEvent(Object evt) {
            if (evt instanceof io.netty.handler.ssl.SslHandshakeCompletionEvent h) {
                if (made || lost) {
                    return;                      // an upgrade's handshake: start_tls awaits it
                }
                if (h.isSuccess()) {
                    if (channel.isActive()) {
                        makeConnection();
                    }
                } else {
                    if (error == null) {
                        error = Tls.translate(h.cause(), tlsOptions);
                    }
                    // an OSError (SSLError is one), so Python's _fatal_error logs it at debug level
                    EventLoop.LOG.debug("{}: SSL handshake failed", SocketTransport.this, error);
                }
                return;
            }
            boolean end = evt instanceof ChannelInputShutdownEvent
                    || evt instanceof io.netty.handler.ssl.SslCloseCompletionEvent c && c.isSuccess();
            if (end && made && !eofSeen && !closing && !lost) {
                eofSeen = true;
                if (paused) {
                    if (held == null) {
                        held = new ArrayDeque<>();
                    }
                    heldEof = true;
                } else {
                    eofReceived();
                }
                close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (error == null) {
                error = tls == null ? cause : Tls.translate(cause, tlsOptions);
            }
            closing = true;
            ctx.close();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                maybeResumeProtocol();
            } else if (!protocolPaused) {
                pauseProtocol();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            Runnable r = onMade;                 // closed before it was active: wake createConnection
            if (r != null) {
                onMade = null;
                r.run();
            }
            connectionLost();
        }
    }
}
