#!/usr/bin/python3
"""The simulated provider's small servers (run as root in a test namespace).

  servers.py echo READY-FILE
      The echo site: on TCP 7, UDP 7 and HTTP (TCP 80), IPv4 and IPv6, every
      reply is the source address the server sees, and a newline:
        TCP 7   on connect: sends "ADDR\\n", closes
        UDP 7   any datagram: replies "ADDR\\n"
        TCP 80  any HTTP request: "HTTP/1.0 200 OK" with body "ADDR\\n"
  servers.py dns READY-FILE ADDR...
      A DNS responder on ADDR:53/udp (IPv4 or IPv6; bound with IP_FREEBIND so
      an address may appear later, e.g. on a tunnel interface). It answers
        echo.vpn.example      A 192.0.2.2, AAAA 2001:db8:e::2
        resolver.vpn.example  A/AAAA: the address the query was sent to
      and NXDOMAIN for any other name.

Each writes READY-FILE once every socket is bound, logs one line per
request on stdout, and runs until SIGTERM.
"""
import asyncio
import ipaddress
import signal
import socket
import struct
import sys

ECHO_NAME = "echo.vpn.example"
ECHO_A = "192.0.2.2"
ECHO_AAAA = "2001:db8:e::2"
RESOLVER_NAME = "resolver.vpn.example"
IP_FREEBIND = 15
IPV6_FREEBIND = 78


def plain(addr):
    """'::ffff:1.2.3.4' -> '1.2.3.4'; an IPv6 address stays as it is."""
    a = ipaddress.ip_address(addr.split("%")[0])
    if a.version == 6 and a.ipv4_mapped:
        return str(a.ipv4_mapped)
    return str(a)


def log(*words):
    print(*words, flush=True)


# ---- echo -------------------------------------------------------------------
async def tcp_echo(reader, writer):
    src = plain(writer.get_extra_info("peername")[0])
    log("tcp7", src)
    writer.write((src + "\n").encode())
    await writer.drain()
    writer.close()


async def http_echo(reader, writer):
    src = plain(writer.get_extra_info("peername")[0])
    try:
        await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    except (asyncio.TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        writer.close()
        return
    log("http80", src)
    body = (src + "\n").encode()
    writer.write(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
                 b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
    await writer.drain()
    writer.close()


class UdpEcho(asyncio.DatagramProtocol):
    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        src = plain(addr[0])
        log("udp7", src)
        self.transport.sendto((src + "\n").encode(), addr)


def bound(family, kind, addr, port, freebind=False):
    s = socket.socket(family, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        if freebind:
            s.setsockopt(socket.IPPROTO_IPV6, IPV6_FREEBIND, 1)
    elif freebind:
        s.setsockopt(socket.IPPROTO_IP, IP_FREEBIND, 1)
    s.bind((addr, port))
    s.setblocking(False)
    return s


async def echo_main():
    loop = asyncio.get_running_loop()
    for family, any_addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
        for port, handler in ((7, tcp_echo), (80, http_echo)):
            s = bound(family, socket.SOCK_STREAM, any_addr, port)
            s.listen(128)
            await asyncio.start_server(handler, sock=s)
        await loop.create_datagram_endpoint(UdpEcho, sock=bound(family, socket.SOCK_DGRAM, any_addr, 7))


# ---- DNS --------------------------------------------------------------------
def parse_question(msg):
    """(id, flags, qname, qtype, end of question) of a one-question query."""
    qid, flags, qdcount = struct.unpack("!HHH", msg[:6])
    if qdcount != 1 or flags & 0x8000:
        raise ValueError("not a one-question query")
    labels, i = [], 12
    while msg[i]:
        n = msg[i]
        if n > 63:
            raise ValueError("compressed or bad label")
        labels.append(msg[i + 1:i + 1 + n].decode("ascii").lower())
        i += 1 + n
    qtype, _qclass = struct.unpack("!HH", msg[i + 1:i + 5])
    return qid, flags, ".".join(labels), qtype, i + 5


def answer(msg, local):
    qid, flags, name, qtype, end = parse_question(msg)
    if name == ECHO_NAME:
        addrs = [ECHO_A, ECHO_AAAA]
    elif name == RESOLVER_NAME:
        addrs = [local]
    else:
        addrs = None
    rcode = 3 if addrs is None else 0  # NXDOMAIN
    # A (1) answers with the IPv4 addresses, AAAA (28) with the IPv6 ones.
    ips = [ip for ip in map(ipaddress.ip_address, addrs or [])
           if (qtype, ip.version) in ((1, 4), (28, 6))]
    rrs = b"".join(struct.pack("!HHHIH", 0xC00C, qtype, 1, 60, len(ip.packed)) + ip.packed
                   for ip in ips)
    # QR + AA, RD copied from the query.
    head = struct.pack("!HHHHHH", qid, 0x8400 | (flags & 0x0100) | rcode, 1, len(ips), 0, 0)
    return head + msg[12:end] + rrs, name, qtype, len(ips)


class Dns(asyncio.DatagramProtocol):
    def __init__(self, local):
        self.local = local

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        try:
            reply, name, qtype, n = answer(data, self.local)
        except (ValueError, IndexError, struct.error, UnicodeDecodeError) as e:
            log("dns", self.local, plain(addr[0]), "bad query:", e)
            return
        log("dns", self.local, plain(addr[0]), name, qtype, n, "answer(s)")
        self.transport.sendto(reply, addr)


async def dns_main(addrs):
    loop = asyncio.get_running_loop()
    for a in addrs:
        family = socket.AF_INET6 if ipaddress.ip_address(a).version == 6 else socket.AF_INET
        s = bound(family, socket.SOCK_DGRAM, a, 53, freebind=True)
        await loop.create_datagram_endpoint(lambda a=a: Dns(a), sock=s)


# ---- main -------------------------------------------------------------------
async def serve(what, ready, args):
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    if what == "echo":
        await echo_main()
    else:
        await dns_main(args)
    with open(ready, "w") as f:
        f.write("ready\n")
    log(what, "ready")
    await stop.wait()


def main(argv):
    if len(argv) < 3 or argv[1] not in ("echo", "dns") or (argv[1] == "dns") == (len(argv) == 3):
        sys.exit(__doc__)
    asyncio.run(serve(argv[1], argv[2], argv[3:]))


if __name__ == "__main__":
    main(sys.argv)
