package dev.pyconc.multiprocessing;

import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/** Payloads whose integrity a consumer can check, and the child processes of the queue tests. */
final class QueueScenarios {
    private QueueScenarios() {}

    /**
     * A payload of {@code size} bytes for item {@code seq}: from 16 bytes on it carries the seq,
     * its size, and a CRC32 of the rest, which is pseudo-random.
     */
    static byte[] payload(int seq, int size) {
        byte[] b = new byte[size];
        if (size < 16) {
            java.util.Arrays.fill(b, (byte) seq);
            return b;
        }
        long x = seq * 0x9E3779B97F4A7C15L + size;
        for (int i = 16; i < size; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            b[i] = (byte) x;
        }
        CRC32 crc = new CRC32();
        crc.update(b, 16, size - 16);
        ByteBuffer.wrap(b).putInt(seq).putInt(size).putLong(crc.getValue());
        return b;
    }

    /** Checks a payload made by {@link #payload}; returns its seq (-1 for payloads under 16 bytes). */
    static int check(byte[] b) {
        if (b.length < 16) {
            for (byte x : b) {
                if (x != b[0]) {
                    throw new AssertionError("a short payload is mixed: " + java.util.Arrays.toString(b));
                }
            }
            return -1;
        }
        ByteBuffer h = ByteBuffer.wrap(b);
        int seq = h.getInt();
        int size = h.getInt();
        long crc = h.getLong();
        CRC32 c = new CRC32();
        c.update(b, 16, b.length - 16);
        if (size != b.length || crc != c.getValue()) {
            throw new AssertionError("partial or corrupt payload: seq " + seq + ", size " + size + " of " + b.length);
        }
        return seq;
    }
}
