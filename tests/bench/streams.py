"""Open event streams: the browse page's figures (1,000 readers) while the server holds 1,000
signed-in tabs' streams, beside the same page with none open, in the same run (ARCHITECTURE.md
"Real time"; issue 5's goal: p95 under 200 ms with the streams open).

The streams are real: 1,000 TCP connections, each a signed-in user's GET /events that got its
`retry:`/`: connected` opening, held open (and drained) for the whole measurement. A stream that
closes before the end counts as an error of the row.
"""

import os
import selectors
import socket
import threading
import time
from urllib.parse import urlsplit

from tests.bench.browse import BENCH_AGENT, seed_readers, signed_in_cookie
from tests.bench.load import run_load
from tests.bench.table import Row

STREAMS = int(os.environ.get("BENCH_STREAMS") or 1000)
PAGE = "/readers"


class OpenStreams:
    """`count` event streams held open against `url`, drained by one background thread."""

    def __init__(self, url, cookie, count):
        parts = urlsplit(url)
        self.address = (parts.hostname, parts.port)
        self.cookie = cookie
        self.count = count
        self.selector = selectors.DefaultSelector()
        self.sockets = []
        self.closed = 0
        self._stop = threading.Event()
        self._thread = None

    def _open_one(self):
        sock = socket.create_connection(self.address, timeout=30)
        request = (
            f"GET /events HTTP/1.1\r\nHost: {self.address[0]}:{self.address[1]}\r\n"
            f"Accept: text/event-stream\r\nUser-Agent: {BENCH_AGENT}\r\nCookie: {self.cookie}\r\n\r\n"
        )
        sock.sendall(request.encode())
        received = b""
        while b": connected" not in received:
            chunk = sock.recv(4096)
            if not chunk:
                raise RuntimeError(f"stream closed while opening: {received[:200]!r}")
            received += chunk
        if b" 200 " not in received.split(b"\r\n", 1)[0]:
            raise RuntimeError(f"stream refused: {received[:200]!r}")
        sock.setblocking(False)
        self.selector.register(sock, selectors.EVENT_READ)
        self.sockets.append(sock)

    def __enter__(self):
        for _ in range(self.count):
            self._open_one()
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()
        return self

    def _drain(self):
        while not self._stop.is_set():
            for key, _ in self.selector.select(timeout=0.5):
                try:
                    data = key.fileobj.recv(65536)
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                if not data:
                    self.selector.unregister(key.fileobj)
                    self.closed += 1

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join()
        for sock in self.sockets:
            sock.close()
        self.selector.close()


def page_with_open_streams(servers):
    """The browse page with 1,000 open event streams, beside the browse page with none."""
    live = servers.live()
    seed_readers()
    baseline = run_load(live.url + PAGE)
    cookie = signed_in_cookie(live.url, "bench-streams@example.test")
    started = time.monotonic()
    with OpenStreams(live.url, cookie, STREAMS) as streams:
        opened_in = time.monotonic() - started
        time.sleep(1)
        loaded = run_load(live.url + PAGE)
        dropped = streams.closed
    print(f"bench: {STREAMS} streams opened in {opened_in:.1f} s; {dropped} closed early", flush=True, file=_log())
    return Row(
        benchmark=f"browse GET /readers (1,000 readers) with {STREAMS:,} open event streams",
        per_second=loaded.per_second,
        p50_ms=loaded.percentile_ms(0.50),
        p95_ms=loaded.percentile_ms(0.95),
        errors=loaded.errors + dropped,
        baseline="same page, no streams open",
        baseline_per_second=baseline.per_second,
        baseline_p95_ms=baseline.percentile_ms(0.95),
        baseline_errors=baseline.errors,
    )


def _log():
    import sys

    return sys.stderr
