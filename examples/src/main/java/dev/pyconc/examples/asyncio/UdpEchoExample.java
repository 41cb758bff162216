package dev.pyconc.examples.asyncio;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.DatagramProtocol;
import dev.pyconc.asyncio.DatagramTransport;
import dev.pyconc.asyncio.EventLoop;
import dev.pyconc.asyncio.Future;
import dev.pyconc.asyncio.Queue;

/**
 * A UDP echo server and client, as in Python's "UDP Echo Server/Client" examples of the asyncio
 * protocols docs, in one program: the server answers each datagram with the same bytes; the client,
 * connected to it, sends five messages, waits for each echo, checks it and closes. Python:
 *
 * <pre>
 * class EchoServerProtocol(asyncio.DatagramProtocol):
 *     def connection_made(self, transport):
 *         self.transport = transport
 *     def datagram_received(self, data, addr):
 *         self.transport.sendto(data, addr)
 *
 * class EchoClientProtocol(asyncio.DatagramProtocol):
 *     def __init__(self, on_con_lost):
 *         self.on_con_lost = on_con_lost
 *         self.replies = asyncio.Queue()
 *     def datagram_received(self, data, addr):
 *         self.replies.put_nowait(data)
 *     def connection_lost(self, exc):
 *         self.on_con_lost.set_result(True)
 *
 * async def main():
 *     loop = asyncio.get_running_loop()
 *     server, _ = await loop.create_datagram_endpoint(EchoServerProtocol, local_addr=('127.0.0.1', 0))
 *     on_con_lost = loop.create_future()
 *     client, proto = await loop.create_datagram_endpoint(
 *         lambda: EchoClientProtocol(on_con_lost), remote_addr=server.get_extra_info('sockname'))
 *     for i in range(5):
 *         client.sendto(f'message {i}'.encode())
 *         print('Received:', (await proto.replies.get()).decode())
 *     client.close()
 *     await on_con_lost
 *     server.close()
 * </pre>
 */
public final class UdpEchoExample {
    private static final int MESSAGES = 5;

    private UdpEchoExample() {}

    /** The server: sends every datagram back to where it came from. */
    static final class EchoServerProtocol implements DatagramProtocol {
        private DatagramTransport transport;

        @Override
        public void connectionMade(DatagramTransport t) {
            transport = t;
        }

        @Override
        public void datagramReceived(byte[] data, SocketAddress addr) {
            System.out.println("server: received " + new String(data, UTF_8) + " from " + addr);
            transport.sendto(data, addr);
        }
    }

    /** The client: queues each reply for the task; completes onConLost when closed. */
    static final class EchoClientProtocol implements DatagramProtocol {
        final Future<Boolean> onConLost;
        final Queue<byte[]> replies = new Queue<>();

        EchoClientProtocol(Future<Boolean> onConLost) {
            this.onConLost = onConLost;
        }

        @Override
        public void datagramReceived(byte[] data, SocketAddress addr) {
            replies.putNowait(data);
        }

        @Override
        public void errorReceived(Exception exc) {
            System.out.println("client: error received: " + exc);
        }

        @Override
        public void connectionLost(Exception exc) {
            onConLost.setResult(true);
        }
    }

    public static void main(String[] args) {
        int echoed = Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            var server = loop.createDatagramEndpoint(EchoServerProtocol::new, new InetSocketAddress("127.0.0.1", 0), null);
            SocketAddress at = (SocketAddress) server.transport().getExtraInfo("sockname");
            System.out.println("serving on " + at);
            Future<Boolean> onConLost = loop.createFuture();
            var client = loop.createDatagramEndpoint(() -> new EchoClientProtocol(onConLost), null, at);
            int n = 0;
            for (int i = 0; i < MESSAGES; i++) {
                String message = "message " + i;
                client.transport().sendto(message.getBytes(UTF_8));
                String reply = new String(Asyncio.waitFor(client.protocol().replies::get, java.time.Duration.ofSeconds(10)), UTF_8);
                System.out.println("client: received " + reply);
                if (!reply.equals(message)) {
                    throw new IllegalStateException("sent " + message + " and got back " + reply);
                }
                n++;
            }
            client.transport().close();
            onConLost.await();
            server.transport().close();
            return n;
        });
        System.out.println(echoed + " of " + MESSAGES + " datagrams echoed and checked");
        if (echoed != MESSAGES) {
            throw new IllegalStateException("expected " + MESSAGES + " echoes");
        }
    }
}
