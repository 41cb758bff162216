package dev.pyconc.asyncio;

import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;

/**
 * The keyword arguments of Python's {@code loop.create_datagram_endpoint} beyond the two
 * addresses: {@code family}, {@code reuse_port} and {@code allow_broadcast}.
 *
 * <pre> {@code
 * var opts = DatagramOptions.builder().family(StandardProtocolFamily.INET).allowBroadcast(true).build();
 * var tp = loop.createDatagramEndpoint(Beacon::new, null, new InetSocketAddress("255.255.255.255", 9999), opts);
 * }</pre>
 *
 * <p>Python's {@code reuse_address=True} is refused by Python itself since 3.11 (SO_REUSEADDR on
 * UDP lets another process steal the port) and has no counterpart here; {@code proto} and
 * {@code flags} have none either (the JDK opens UDP sockets only).
 *
 * <p>Memory consistency effects: none; a record is immutable.
 *
 * @param family         {@link StandardProtocolFamily#INET} or {@code INET6}, or null for Python's
 *                       {@code AF_UNSPEC} (the addresses decide); {@code UNIX} is not supported
 * @param reusePort      sets SO_REUSEPORT: other endpoints may bind the same address and port
 * @param allowBroadcast sets SO_BROADCAST; with a remote address the socket is not connected, as
 *                       in Python, and sends go to that address
 */
public record DatagramOptions(ProtocolFamily family, boolean reusePort, boolean allowBroadcast) {
    /** Python's defaults: no family, no SO_REUSEPORT, no SO_BROADCAST. */
    public static final DatagramOptions DEFAULT = new DatagramOptions(null, false, false);

    /** Checks the family: INET, INET6 or null. */
    public DatagramOptions {
        if (family != null && family != StandardProtocolFamily.INET && family != StandardProtocolFamily.INET6) {
            throw new IllegalArgumentException("family must be INET, INET6 or null (AF_UNSPEC), not " + family
                    + ": datagram endpoints on Unix sockets are not supported");
        }
    }

    /** A builder starting from {@link #DEFAULT}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link DatagramOptions}; Python's keyword arguments, one method each. */
    public static final class Builder {
        private ProtocolFamily family;
        private boolean reusePort;
        private boolean allowBroadcast;

        private Builder() {
        }

        /** Python's {@code family=}: INET, INET6 or null. */
        public Builder family(ProtocolFamily family) {
            this.family = family;
            return this;
        }

        /** Python's {@code reuse_port=}. */
        public Builder reusePort(boolean reusePort) {
            this.reusePort = reusePort;
            return this;
        }

        /** Python's {@code allow_broadcast=}. */
        public Builder allowBroadcast(boolean allowBroadcast) {
            this.allowBroadcast = allowBroadcast;
            return this;
        }

        /** The options. */
        public DatagramOptions build() {
            return new DatagramOptions(family, reusePort, allowBroadcast);
        }
    }
}
