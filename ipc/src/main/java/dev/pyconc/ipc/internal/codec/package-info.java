/**
 * The codec wing of ipc's internals: how the items of pipes, queues and pools become bytes and
 * back. The standard codec's engine ({@link dev.pyconc.ipc.internal.codec.StandardFormat}, which
 * {@code Codec.standard()} wraps), its tagged item format
 * ({@link dev.pyconc.ipc.internal.codec.WireFormat}, the descriptor of those bytes), its lists,
 * sets and maps, the allow-list and limits behind which it reads Java serialization
 * ({@link dev.pyconc.ipc.internal.codec.SerialFilter}), the reusable buffer items are encoded
 * into ({@link dev.pyconc.ipc.internal.codec.GrowableBuffer}), the encoders and decoders the
 * other wings take in place of the public {@code Codec}, and the messages of a process pool
 * ({@link dev.pyconc.ipc.internal.codec.PoolWireFormat}, their descriptor). It touches no shared
 * memory and uses no other wing.
 */
package dev.pyconc.ipc.internal.codec;
