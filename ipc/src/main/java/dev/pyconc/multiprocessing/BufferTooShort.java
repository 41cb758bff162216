package dev.pyconc.multiprocessing;

/**
 * Thrown by {@link Connection#recvBytesInto(byte[], int)} and
 * {@link Connection#recvBytes(int)} when the message received is longer than the buffer or the
 * limit: Python's {@code multiprocessing.BufferTooShort}. The message has been taken from the
 * connection; it is not lost: {@link #message()} holds it whole. It is a {@link ProcessError}, as in
 * Python.
 *
 * <pre> {@code
 * try {
 *     int n = conn.recvBytesInto(buffer, 0);
 * } catch (BufferTooShort e) {
 *     handle(e.message());
 * }
 * }</pre>
 *
 * <p>Memory consistency effects: none of its own.
 */
public class BufferTooShort extends ProcessError {
    private static final long serialVersionUID = 1L;

    private final byte[] message;

    /** An error for {@code message}, which did not fit in {@code room} bytes. */
    public BufferTooShort(byte[] message, long room) {
        super("the message has " + message.length + " bytes, more than the " + room
                + " allowed; BufferTooShort.message() holds it");
        this.message = message;
    }

    /** The whole message that did not fit. */
    public byte[] message() {
        return message;
    }
}
