package dev.pyconc.benchmarks.echo;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.DatagramProtocol;
import dev.pyconc.asyncio.DatagramTransport;
import dev.pyconc.asyncio.EventLoop;
import dev.pyconc.asyncio.TransportProtocol;

/**
 * pyconc's UDP echo: {@code loop.createDatagramEndpoint} with a {@link DatagramProtocol} that
 * sends every datagram back to its sender, as benchmarks/python/echo_server.py's {@code --mode udp}
 * with CPython. Started by {@link EchoLoad} as variant {@code pyconc-udp}.
 */
public final class PyconcUdpEchoServer {
    private PyconcUdpEchoServer() {
    }

    static final class Echo implements DatagramProtocol {
        private DatagramTransport transport;

        @Override
        public void connectionMade(DatagramTransport t) {
            transport = t;
        }

        @Override
        public void datagramReceived(byte[] data, SocketAddress addr) {
            transport.sendto(data, addr);
        }
    }

    public static void main(String[] args) {
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            TransportProtocol<DatagramTransport, Echo> endpoint =
                    loop.createDatagramEndpoint(Echo::new, new InetSocketAddress("127.0.0.1", 0), null);
            EchoServers.announce(((InetSocketAddress) endpoint.transport().getExtraInfo("sockname")).getPort());
            loop.createFuture().await();
        });
    }
}
