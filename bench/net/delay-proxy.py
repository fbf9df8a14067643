#!/usr/bin/env python3
"""A TCP proxy that adds a fixed one-way delay to each direction without limiting throughput.

    delay-proxy.py --listen 127.0.0.1:PORT --target HOST:PORT --delay-ms 25 [--handshake]

Every chunk read from one side is stamped with the time it arrived and written to the other side
`delay` later; the chunks of a direction wait in a FIFO queue (one timer for its head), so the delay
is paid by all chunks at once, as in a long pipe, not once per chunk in turn: bulk throughput is
unchanged, only latency is added.
25 ms each way is a 50 ms round trip. With --handshake a new connection also costs one round trip
before its first bytes reach the target, as TCP's handshake does on a real path (the client's
connect() returns at once; its first bytes are held until 3 x delay after the accept).

Caveats: the proxy's own TCP connections have a round trip of microseconds, so TCP's RTT-dependent
behaviour on a real path (slow start, receive-window limits) is not reproduced; the delayed bytes wait
in the proxy's memory (--max-buffer per direction per connection, default 64 MiB) instead of in flight.
Standard library only (Python 3.7+). SIGTERM/SIGINT stop it; it prints "listening on HOST:PORT" once
it accepts connections, and totals when it stops.
"""
import argparse
import asyncio
import collections
import signal
import sys


def parse_hostport(text, what):
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise argparse.ArgumentTypeError("%s must be HOST:PORT, not %r" % (what, text))
    return host.strip("[]") or "127.0.0.1", int(port)


class Totals:
    connections = 0
    active = 0
    failed = 0
    up = 0
    down = 0


class Pipe:
    """One direction of a connection. Chunks read from `src` are stamped with their arrival time and
    written to `dst` `delay` later, by a timer set for the head of a FIFO queue."""

    def __init__(self, conn, delay, not_before, max_buffer):
        self.conn = conn
        self.loop = conn.loop
        self.delay = delay
        self.not_before = not_before
        self.max_buffer = max_buffer
        self.src = None
        self.dst = None
        self.queue = collections.deque()  # (due, bytes or None for EOF)
        self.buffered = 0
        self.bytes = 0
        self.timer = None
        self.done = False  # EOF passed on
        self.paused = set()  # why src is not read: "buffer" (too much delayed), "dst" (dst is slow)

    def push(self, data):
        due = self.loop.time() + self.delay
        if due < self.not_before:
            due = self.not_before
        self.queue.append((due, data))
        if data:
            self.buffered += len(data)
            if self.buffered >= self.max_buffer:
                self.pause("buffer")
        if self.timer is None and self.dst is not None:
            self.timer = self.loop.call_at(self.queue[0][0], self.flush)

    def start(self):
        """dst is connected: release what waits."""
        if self.queue and self.timer is None:
            self.timer = self.loop.call_at(self.queue[0][0], self.flush)

    def flush(self):
        self.timer = None
        if self.conn.dead:
            return
        queue = self.queue
        now = self.loop.time()
        dst = self.dst
        first = True
        while queue and (first or queue[0][0] <= now):
            first = False
            _, data = queue.popleft()
            if data is None:
                if dst.can_write_eof():
                    dst.write_eof()
                self.done = True
                self.conn.maybe_close()
                return
            dst.write(data)
            self.buffered -= len(data)
            self.bytes += len(data)
        if self.buffered < self.max_buffer // 2:
            self.resume("buffer")
        if queue:
            self.timer = self.loop.call_at(queue[0][0], self.flush)

    def pause(self, why):
        if not self.paused and self.src is not None and not self.src.is_closing():
            self.src.pause_reading()
        self.paused.add(why)

    def resume(self, why):
        if why in self.paused:
            self.paused.discard(why)
            if not self.paused and self.src is not None and not self.src.is_closing():
                self.src.resume_reading()

    def cancel(self):
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        self.queue.clear()


class Side(asyncio.Protocol):
    """A socket of a connection: what it reads goes into `inbound`, `outbound` writes to it."""

    def __init__(self, conn, inbound, outbound):
        self.conn = conn
        self.inbound = inbound
        self.outbound = outbound

    def connection_made(self, transport):
        self.inbound.src = transport
        self.outbound.dst = transport
        if self.inbound.paused:
            transport.pause_reading()

    def data_received(self, data):
        self.inbound.push(data)

    def eof_received(self):
        self.inbound.push(None)
        return True  # keep the other half open

    def pause_writing(self):
        self.outbound.pause("dst")

    def resume_writing(self):
        self.outbound.resume("dst")

    def connection_lost(self, exc):
        self.conn.lost(self, exc)


class Conn:
    def __init__(self, proxy):
        self.proxy = proxy
        self.loop = proxy.loop
        self.accepted = self.loop.time()
        d = proxy.delay
        self.c2u = Pipe(self, d, self.accepted + 3 * d if proxy.handshake else 0.0, proxy.max_buffer)
        self.u2c = Pipe(self, d, 0.0, proxy.max_buffer)
        self.client = Side(self, self.c2u, self.u2c)
        self.upstream = Side(self, self.u2c, self.c2u)
        self.dead = False
        self.closed = False
        self.peer = None

    def transports(self):
        return [t for t in (self.c2u.src, self.u2c.src) if t is not None]

    async def connect(self):
        try:
            await self.loop.create_connection(lambda: self.upstream, *self.proxy.target)
        except OSError as e:
            self.proxy.totals.failed += 1
            self.proxy.log("connect to %s:%d failed: %s" % (self.proxy.target[0], self.proxy.target[1], e))
            self.kill(e)
            return
        if self.dead:
            self.c2u.dst.abort()
            return
        for t in self.transports():
            t.set_write_buffer_limits(high=4 << 20)
        self.c2u.start()

    def maybe_close(self):
        if self.c2u.done and self.u2c.done and not self.closed:
            self.closed = True
            for t in self.transports():
                t.close()

    def kill(self, exc):
        if self.dead:
            return
        self.dead = True
        self.c2u.cancel()
        self.u2c.cancel()
        for t in self.transports():
            t.abort()
        self.ended(exc)

    def lost(self, side, exc):
        if exc is not None or not self.closed:
            self.kill(exc)
        elif side is self.client:
            self.ended(None)

    def ended(self, exc):
        p = self.proxy
        if self in p.conns:
            p.conns.discard(self)
            p.totals.active -= 1
            p.totals.up += self.c2u.bytes
            p.totals.down += self.u2c.bytes
            if p.verbose:
                p.log("%s: %d B up, %d B down%s" % (self.peer, self.c2u.bytes, self.u2c.bytes,
                                                   "" if exc is None else ", ended by %r" % exc))


class Proxy:
    def __init__(self, args, loop):
        self.loop = loop
        self.target = args.target
        self.delay = args.delay_ms / 1000.0
        self.handshake = args.handshake
        self.max_buffer = args.max_buffer
        self.verbose = args.verbose
        self.totals = Totals()
        self.conns = set()

    def log(self, *parts):
        print(*parts, file=sys.stderr, flush=True)

    def accept(self):
        conn = Conn(self)
        self.conns.add(conn)
        self.totals.connections += 1
        self.totals.active += 1
        self.loop.create_task(conn.connect())
        return conn.client


async def main(args):
    loop = asyncio.get_running_loop()
    proxy = Proxy(args, loop)
    host, port = args.listen
    server = await loop.create_server(proxy.accept, host, port, backlog=512)
    bound = server.sockets[0].getsockname()
    print("listening on %s:%d -> %s:%d, %g ms each way%s" % (
        bound[0], bound[1], args.target[0], args.target[1], args.delay_ms,
        ", + 1 RTT per connection" if args.handshake else ""), flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()
    for conn in list(proxy.conns):
        conn.kill(None)
    t = proxy.totals
    print("stopped: %d connections (%d failed), %d B up, %d B down" % (t.connections, t.failed, t.up, t.down),
          flush=True)


if __name__ == "__main__":
    p = argparse.ArgumentParser(description="TCP proxy adding a fixed one-way delay to each direction")
    p.add_argument("--listen", required=True, type=lambda s: parse_hostport(s, "--listen"),
                   help="HOST:PORT to listen on (PORT 0: any free port)")
    p.add_argument("--target", required=True, type=lambda s: parse_hostport(s, "--target"),
                   help="HOST:PORT to forward to")
    p.add_argument("--delay-ms", required=True, type=float, help="one-way delay, each direction")
    p.add_argument("--handshake", action="store_true",
                   help="charge each new connection one round trip, as TCP's handshake does")
    p.add_argument("--max-buffer", type=int, default=64 << 20,
                   help="bytes held per direction per connection before reading pauses (default 64 MiB)")
    p.add_argument("-v", "--verbose", action="store_true", help="one line per connection")
    a = p.parse_args()
    if a.delay_ms < 0:
        p.error("--delay-ms must be >= 0")
    asyncio.run(main(a))
