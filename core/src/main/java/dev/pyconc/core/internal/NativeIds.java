package dev.pyconc.core.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The operating system's id of the calling thread, for {@code Thread.nativeId()}. On Linux this is
 * the TID, read from {@code /proc/thread-self} (a link to {@code <pid>/task/<tid>}), which needs no
 * native access. Elsewhere, the JDK's thread id stands in.
 */
public final class NativeIds {
    private static final Path THREAD_SELF = Path.of("/proc/thread-self");

    private NativeIds() {}

    /** The calling thread's native id. */
    public static long current() {
        try {
            String link = Files.readSymbolicLink(THREAD_SELF).toString();
            return Long.parseLong(link.substring(link.lastIndexOf('/') + 1));
        } catch (IOException | UnsupportedOperationException | NumberFormatException | SecurityException e) {
            return Thread.currentThread().threadId();
        }
    }
}
