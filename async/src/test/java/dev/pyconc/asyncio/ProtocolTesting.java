package dev.pyconc.asyncio;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A protocol that records its callbacks, for the protocol and transport tests. */
final class ProtocolTesting {
    private ProtocolTesting() {}

    /** Records each callback in order ("made", "data", "eof", "pause", "resume", "lost"), the bytes and the loss. */
    static class Recorder implements Protocol {
        final List<String> events = new ArrayList<>();
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        final Future<Exception> lost = Asyncio.getRunningLoop().createFuture();
        Transport transport;
        boolean keepOpenAtEof;

        @Override
        public void connectionMade(Transport t) {
            transport = t;
            events.add("made");
        }

        @Override
        public void dataReceived(byte[] d) {
            if (events.isEmpty() || !events.getLast().equals("data")) {
                events.add("data");
            }
            data.writeBytes(d);
        }

        @Override
        public boolean eofReceived() {
            events.add("eof");
            return keepOpenAtEof;
        }

        @Override
        public void pauseWriting() {
            events.add("pause");
        }

        @Override
        public void resumeWriting() {
            events.add("resume");
        }

        @Override
        public void connectionLost(Exception exc) {
            events.add("lost");
            lost.setResult(exc);
        }

        String text() {
            return data.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }

    /** Collects what reaches the running loop's exception handler. */
    static List<Map<String, Object>> collectExceptionContexts() {
        List<Map<String, Object>> messages = new ArrayList<>();
        Asyncio.getRunningLoop().setExceptionHandler((l, ctx) -> messages.add(ctx));
        return messages;
    }

    static byte[] b(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
