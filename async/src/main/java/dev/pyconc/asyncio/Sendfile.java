package dev.pyconc.asyncio;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultFileRegion;

import dev.pyconc.builtins.ConnectionError;

/**
 * loop.sendfile: a Netty FileRegion on a plain socket transport (the kernel copies the file), and
 * Python's read-and-write fallback elsewhere, with the transport's flow control.
 */
final class Sendfile {
    private Sendfile() {}

    /** Python's fallback block size. */
    static final int BLOCK_SIZE = 16 * 1024;

    static long sendfile(EventLoop loop, Transport transport, FileChannel file, long offset, long count, boolean fallback) {
        if (transport == null || file == null) {
            throw new IllegalArgumentException("transport and file must not be null");
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be a non-negative integer (got " + offset + ")");
        }
        if (count < 0) {
            throw new IllegalArgumentException("count must be a positive integer, or 0 for the whole file (got " + count + ")");
        }
        if (transport.isClosing()) {
            throw new IllegalStateException("Transport is closing");
        }
        SocketTransport native_ = transport instanceof SocketTransport s && s.channel.pipeline().get(Connections.TLS_HANDLER) == null ? s : null;
        if (native_ == null && !fallback) {
            throw new SendfileNotAvailableError("fallback is disabled and native sendfile is not supported for transport " + transport);
        }
        long size;
        try {
            size = file.size();
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        long n = Math.max(0, size - offset);
        if (count > 0) {
            n = Math.min(n, count);
        }
        return native_ != null ? sendNative(loop, native_, file, offset, n) : sendFallback(loop, transport, file, offset, n);
    }

    /** A region of the caller's file: Netty releases it once sent, and must not close the file then. */
    private static final class Region extends DefaultFileRegion {
        Region(FileChannel file, long position, long count) {
            super(file, position, count);
        }

        @Override
        protected void deallocate() {
            // the file is the caller's: it stays open
        }
    }

    private static long sendNative(EventLoop loop, SocketTransport t, FileChannel file, long offset, long n) {
        long sent = 0;
        Region region = new Region(file, offset, n);
        try {
            if (n > 0) {
                ChannelPromise done = t.channel.newPromise();
                t.sendRegion(region, done);
                NettyLoops.await(loop, done);
            }
            sent = n;
            return n;
        } catch (RuntimeException e) {
            sent = region.transferred();
            if (Task.isCancellation(e)) {
                throw e;
            }
            t.abort();                                   // the connection is broken: Python's transport is closing then too
            throw StreamTransport.translate(e, false);
        } finally {
            position(file, offset + sent);
        }
    }

    private static void position(FileChannel file, long p) {
        try {
            file.position(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    private static long sendFallback(EventLoop loop, Transport t, FileChannel file, long offset, long n) {
        FallbackProtocol proto = new FallbackProtocol(loop, t);
        long total = 0;
        try {
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(BLOCK_SIZE, Math.max(1, n)));
            while (total < n) {
                buf.clear().limit((int) Math.min(buf.capacity(), n - total));
                long at = offset + total;
                int read = loop.runInExecutor(null, () -> {
                    int r = 0;
                    while (buf.hasRemaining()) {
                        int k = file.read(buf, at + r);
                        if (k < 0) {
                            break;
                        }
                        r += k;
                    }
                    return r;
                }).await();
                if (read <= 0) {
                    break;
                }
                proto.drain();
                t.write(buf.array(), 0, read);
                total += read;
            }
            return total;
        } finally {
            position(file, offset + total);
            proto.restore();
        }
    }

    /**
     * Python's _SendfileFallbackProtocol: stands in for the transport's protocol while the file is
     * written, so that its flow control paces the writes; reading is paused meanwhile.
     */
    private static final class FallbackProtocol implements Protocol {
        private final EventLoop loop;
        private final Transport transport;
        private final BaseProtocol original;
        private final boolean resumeReading;
        private final boolean resumeWriting;
        private Future<Void> writeReady;            // pending while writing is paused
        private boolean lost;
        private Exception lostWith;

        FallbackProtocol(EventLoop loop, Transport t) {
            this.loop = loop;
            this.transport = t;
            this.original = t.getProtocol();
            this.resumeReading = t.isReading();
            this.resumeWriting = t instanceof SocketTransport s && s.protocolPaused();
            t.pauseReading();
            t.setProtocol(this);
            if (resumeWriting) {
                writeReady = loop.createFuture();
            }
        }

        void drain() {
            if (transport.isClosing()) {
                throw new ConnectionError("Connection closed by peer");
            }
            Future<Void> f = writeReady;
            if (f != null) {
                f.await();
            }
        }

        @Override
        public void pauseWriting() {
            if (writeReady == null) {
                writeReady = loop.createFuture();
            }
        }

        @Override
        public void resumeWriting() {
            Future<Void> f = writeReady;
            writeReady = null;
            if (f != null && !f.done()) {
                f.setResultInternal(null);
            }
        }

        @Override
        public void connectionLost(Exception exc) {
            lost = true;
            lostWith = exc;
            Future<Void> f = writeReady;
            writeReady = null;
            if (f != null && !f.done()) {
                f.setExceptionInternal(new ConnectionError("Connection is closed by peer"));
                f.retrieved();
            }
        }

        @Override
        public void dataReceived(byte[] data) {
            throw new IllegalStateException("Invalid state: reading should be paused");
        }

        @Override
        public boolean eofReceived() {
            throw new IllegalStateException("Invalid state: reading should be paused");
        }

        void restore() {
            transport.setProtocol(original);
            Future<Void> f = writeReady;
            writeReady = null;
            if (f != null && !f.done()) {
                f.cancel();
            }
            if (lost) {
                original.connectionLost(lostWith);      // the original protocol learns of the loss it missed
                return;
            }
            if (resumeReading) {
                transport.resumeReading();
            }
            boolean pausedNow = transport instanceof SocketTransport s && s.protocolPaused();
            if (resumeWriting && !pausedNow) {
                original.resumeWriting();
            } else if (!resumeWriting && pausedNow) {
                original.pauseWriting();
            }
        }
    }
}
