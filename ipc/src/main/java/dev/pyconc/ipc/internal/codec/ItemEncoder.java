package dev.pyconc.ipc.internal.codec;

/**
 * Appends one item's bytes to a sink: a codec's {@code encode} as the internals see it. The
 * standard format is one ({@link StandardFormat}); the public side makes one of any other codec.
 */
@FunctionalInterface
public interface ItemEncoder {
    /**
     * Appends the bytes of {@code item} to {@code out}.
     *
     * @throws dev.pyconc.multiprocessing.PicklingError if {@code item} cannot be encoded
     */
    void encode(Object item, ItemSink out);
}
