"""An echo server for the echo-server load generator (dev.pyconc.benchmarks.echo.EchoLoad), which
starts it as a process of its own and measures its CPU time per echoed message:

    python3 echo_server.py --mode streams|protocol|udp [--loop asyncio|uvloop] [--tls CERT.pem KEY.pem]

- streams: asyncio.start_server; the handler reads up to 64 KiB, writes it back and drains.
- protocol: loop.create_server with a Protocol whose data_received writes the data back.
- udp: loop.create_datagram_endpoint with a DatagramProtocol that sends each datagram back.
- --loop uvloop runs the same code on uvloop's loop.
- --tls serves TLS 1.3 (Python's ssl) with the PEM certificate and key given (streams, protocol).

It listens on 127.0.0.1, on a port the system chooses, and prints "ECHO-PORT <port>" once it
accepts; it runs until it is killed. When it cannot run (uvloop not importable), it prints
"ECHO-SKIP <reason>" and exits with status 0. Standard library only, apart from uvloop.
"""
import argparse
import asyncio
import sys


class EchoProtocol(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)


class EchoDatagram(asyncio.DatagramProtocol):
    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        self.transport.sendto(data, addr)


async def echo(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


def announce(port):
    print("ECHO-PORT", port, flush=True)


async def serve(mode, ssl_context):
    loop = asyncio.get_running_loop()
    if mode == "udp":
        transport, _ = await loop.create_datagram_endpoint(EchoDatagram, local_addr=("127.0.0.1", 0))
        announce(transport.get_extra_info("sockname")[1])
        await loop.create_future()
        return
    if mode == "streams":
        server = await asyncio.start_server(echo, "127.0.0.1", 0, ssl=ssl_context)
    else:
        server = await loop.create_server(EchoProtocol, "127.0.0.1", 0, ssl=ssl_context)
    announce(server.sockets[0].getsockname()[1])
    async with server:
        await server.serve_forever()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mode", choices=("streams", "protocol", "udp"), required=True)
    p.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio")
    p.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    a = p.parse_args()
    ssl_context = None
    if a.tls:
        if a.mode == "udp":
            sys.exit("--tls is for the TCP modes")
        import ssl
        ssl_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ssl_context.minimum_version = ssl.TLSVersion.TLSv1_3
        ssl_context.load_cert_chain(a.tls[0], a.tls[1])
    if a.loop == "uvloop":
        try:
            import uvloop
        except ImportError as e:
            print("ECHO-SKIP uvloop cannot be imported (%s); pip install uvloop" % e, flush=True)
            return
        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    asyncio.run(serve(a.mode, ssl_context))


if __name__ == "__main__":
    main()
