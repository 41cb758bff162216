package dev.pyconc.ipc.internal.codec;

/**
 * Reads back one item from the bytes one encoding appended: a codec's {@code decode} as the
 * internals see it ({@code codec::decode}, or the {@link StandardFormat} itself).
 */
@FunctionalInterface
public interface ItemDecoder {
    /**
     * Reads back the item of {@code length} bytes at {@code offset} of {@code bytes}.
     *
     * @throws dev.pyconc.multiprocessing.UnpicklingError if the bytes are not a valid item
     */
    Object decode(byte[] bytes, int offset, int length);
}
