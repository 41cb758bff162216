package dev.pyconc.asyncio;

import java.util.ArrayDeque;

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

/**
 * A TCP connection's transport: a Netty socket channel registered on the loop's Netty loop, whose
 * handler (this class's {@link Handler}) runs on the loop thread holding the baton and feeds the
 * reader directly.
 *
 * <p>Writes of task bodies are queued here and handed to the channel by the loop thread when the
 * baton comes home ({@link EventLoop#runAtHome}): no cross-thread task and no selector wake-up per
 * write, and the writes of one step go out in one flush (a gathering write). The queue counts
 * toward the high-water mark, together with the channel's outbound buffer, whose writability
 * (Netty's water marks, set to Python's 64 KiB / 16 KiB) wakes drain().
 */
final class SocketTransport extends StreamTransport {
    /** Options every stream socket gets: Python's TCP_NODELAY, half-closure for writeEof/at EOF, its water marks. */
    static void configure(Channel ch) {
        ch.config().setOption(ChannelOption.TCP_NODELAY, true);
        ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(DEFAULT_HIGH_WATER / 4, DEFAULT_HIGH_WATER));
    }

    final Channel channel;
    private final ArrayDeque<ByteBuf> queued = new ArrayDeque<>();  // written by bodies, not yet given to the channel
    private int queuedBytes;
    private int highWater = DEFAULT_HIGH_WATER;
    private boolean flushScheduled;
    private final Runnable flush = this::flushQueued;
    private Throwable error;                     // what the channel failed with, if anything
    private Server server;                       // the server that accepted it, or null
    private final boolean serverSide;            // accepted by a server (a TLS upgrade then takes the server's part)
    private final String host;                   // the host a client connected to (the name TLS checks), or null
    io.netty.handler.ssl.SslHandler tls;         // the TLS layer in front of the handler, or null (see Tls)
    private SslOptions tlsOptions;

    SocketTransport(EventLoop loop, Channel channel, StreamReader reader) {
        this(loop, channel, reader, true, null);
    }

    SocketTransport(EventLoop loop, Channel channel, StreamReader reader, boolean serverSide, String host) {
        super(loop, reader);
        this.channel = channel;
        this.serverSide = serverSide;
        this.host = host;
    }

    /** The connection now runs over TLS (called by {@link Tls#install} only). */
    void useTls(io.netty.handler.ssl.SslHandler h, SslOptions o) {
        this.tls = h;
        this.tlsOptions = o;
    }

    /** Python's start_tls on this connection, for a task body: see {@link Tls#startTls}. */
    void startTls(SslOptions o) {
        Tls.startTls(this, o, serverSide, host);
    }

    void attachTo(Server s) {
        this.server = s;
    }

    Handler handler() {
        return new Handler();
    }

    // ---------------------------------------------------------------- writing

    @Override
    void write(byte[] data, int off, int len) {
        if (len == 0 || dropWrite()) {
            return;
        }
        ByteBuf b = channel.alloc().directBuffer(len);
        b.writeBytes(data, off, len);
        queued.add(b);
        queuedBytes += len;
        if (!flushScheduled) {
            flushScheduled = true;
            loop.loopThread.runAtHome(flush);
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
        if (channel.isWritable()) {
            writable();
        }
    }

    @Override
    boolean writePaused() {
        return queuedBytes > highWater || !channel.isWritable();
    }

    @Override
    void setWriteBufferLimits(int high, int low) {
        checkLimits(high, low);
        highWater = high;
        loop.loopThread.runAtHome(() -> channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(low, high)));
    }

    @Override
    int writeBufferSize() {
        ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
        long pending = out == null ? 0 : out.totalPendingWriteBytes();
        return (int) Math.min(Integer.MAX_VALUE, queuedBytes + pending);
    }

    @Override
    boolean canWriteEof() {
        return tls == null;
    }

    @Override
    void writeEof() {
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
    void close() {
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

    @Override
    void abort() {
        closing = true;
        loop.loopThread.runAtHome(() -> {
            flushQueued();
            var tlsContext = tls == null ? null : channel.pipeline().context(tls);
            if (tlsContext != null) {
                tlsContext.close();     // past the TLS layer: no close_notify, no wait for the peer's
            } else {
                channel.close();
            }
        });
    }

    // ---------------------------------------------------------------- reading

    @Override
    void pauseReading() {
        loop.loopThread.runAtHome(() -> channel.config().setAutoRead(false));
    }

    @Override
    void resumeReading() {
        loop.loopThread.runAtHome(() -> {
            if (!closing && channel.isActive()) {
                channel.config().setAutoRead(true);
            }
        });
    }

    @Override
    Object extraInfo(String name) {
        if (tls != null) {
            Object v = Tls.extraInfo(tls, tlsOptions, name);
            if (v != Tls.NOT_TLS) {
                return v;
            }
        }
        return switch (name) {
            case "peername" -> channel.remoteAddress();
            case "sockname" -> channel.localAddress();
            case "socket" -> channel;
            default -> null;
        };
    }

    @Override
    void lostCallback() {
        Server s = server;
        if (s != null) {
            s.detach(this);
        }
    }

    @Override
    public String toString() {
        return "SocketTransport[" + channel + (tls != null ? " tls" : "") + (closing ? " closing" : "") + (lost ? " lost" : "") + "]";
    }

    /** The channel's handler: on the loop thread, holding the baton. */
    final class Handler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (closing || reader == null) {
                io.netty.util.ReferenceCountUtil.release(msg);
                return;
            }
            reader.feed((ByteBuf) msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent && reader != null) {
                reader.feedEof();           // the peer wrote EOF: we may still write (Python's eof_received -> True)
                if (tls != null) {
                    close();                // but not over TLS, which has no half-closes (eof_received -> False)
                }
            } else if (evt instanceof io.netty.handler.ssl.SslCloseCompletionEvent e && e.isSuccess() && reader != null) {
                reader.feedEof();           // the peer's close_notify: the end of the stream, and we close too
                close();
            }
            io.netty.util.ReferenceCountUtil.release(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (error == null) {
                error = tls == null ? cause : Tls.translate(cause, tlsOptions);
            }
            ctx.close();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable() && queuedBytes <= highWater) {
                writable();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            ByteBuf b;
            while ((b = queued.poll()) != null) {
                b.release();
            }
            queuedBytes = 0;
            connectionLost(closing && error instanceof java.nio.channels.ClosedChannelException ? null : error);
        }
    }
}
