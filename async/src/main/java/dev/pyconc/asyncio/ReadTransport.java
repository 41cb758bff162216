package dev.pyconc.asyncio;

/**
 * The reading side of a streaming transport: Python's {@code asyncio.ReadTransport}.
 *
 * <pre> {@code
 * transport.pauseReading();     // no dataReceived until resumeReading()
 * transport.resumeReading();
 * }</pre>
 *
 * <p>Memory consistency effects: as {@link BaseTransport}.
 */
public interface ReadTransport extends BaseTransport {
    /** Whether the transport is receiving: Python's {@code is_reading()}. */
    boolean isReading();

    /** Stops calling the protocol's data callbacks until {@link #resumeReading()}; idempotent. */
    void pauseReading();

    /** Resumes what {@link #pauseReading()} stopped; idempotent. */
    void resumeReading();
}
