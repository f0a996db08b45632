"""A small closed-loop HTTP load generator in pure Python (no new dependency, wrk is not installed).

Each of N threads keeps one keep-alive connection and sends the next request as soon as the last
answer is read, so the figure is what the server sustains at N requests in flight. The generator
shares the machine's CPUs with the server it measures; that is why every figure is read beside a
baseline measured the same way in the same run rather than on its own.
"""

import http.client
import ipaddress
import math
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

DEFAULT_THREADS = 8
DEFAULT_SECONDS = 5.0
WARMUP_SECONDS = 1.0
REQUEST_TIMEOUT = 10.0


def default_seconds():
    """The measured duration: BENCH_SECONDS from the environment, else 5 s."""
    return float(os.environ.get("BENCH_SECONDS") or DEFAULT_SECONDS)


@dataclass
class LoadResult:
    """What one run measured: successful (200) latencies in seconds, and everything else as errors."""

    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    @property
    def successes(self):
        return len(self.latencies)

    @property
    def per_second(self):
        return self.successes / self.seconds

    @classmethod
    def combined(cls, results):
        """Several runs of the same load as one: their requests and their seconds added up."""
        total = cls(seconds=sum(result.seconds for result in results))
        for result in results:
            total.latencies.extend(result.latencies)
            total.errors += result.errors
        return total

    def percentile_ms(self, fraction):
        """Nearest-rank percentile of the successful latencies, in milliseconds (None if none)."""
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        rank = max(1, math.ceil(fraction * len(ordered)))
        return ordered[rank - 1] * 1000


def _require_loopback(host):
    """Refuse anything but this machine: the generator must never load someone else's server."""
    address = ipaddress.ip_address(socket.gethostbyname(host))
    if not address.is_loopback:
        raise ValueError(f"the load generator only targets loopback addresses, not {host} ({address})")


def run_load(url, threads=DEFAULT_THREADS, seconds=None, warmup=WARMUP_SECONDS, headers=None):
    """GET `url` from `threads` keep-alive clients: `warmup` seconds unmeasured, then `seconds` measured
    (with `headers` on every request, e.g. a signed-in session's Cookie)."""
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname or not parts.port:
        raise ValueError(f"expected http://host:port/path, got {url!r}")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    request_headers = {"Accept": "text/html", **(headers or {})}

    def requests_for(n):
        while True:
            yield "GET", path, request_headers

    return run_rotating_load(f"http://{parts.hostname}:{parts.port}", requests_for, threads, seconds, warmup)


def _rotating_worker(host, port, requests, ok, start, end, tally, lock):
    """Like `_worker`, for requests that differ one from the next: `requests` is a generator that
    yields (method, path, headers) and is sent each answer as (status, body); the statuses in `ok`
    count as answered. It ends at `end` or when the generator does."""
    connection = http.client.HTTPConnection(host, port, timeout=REQUEST_TIMEOUT)
    latencies, errors = [], 0
    try:
        request = next(requests, None)
        while request is not None:
            method, path, headers = request
            began = time.perf_counter()
            if began >= end:
                break
            body = b""
            try:
                connection.request(method, path, headers=headers)
                response = connection.getresponse()
                body = response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                connection.close()
                status = None
            finished = time.perf_counter()
            if began >= start and finished <= end:
                if status in ok:
                    latencies.append(finished - began)
                else:
                    errors += 1
            try:
                request = requests.send((status, body))
            except StopIteration:
                request = None
    finally:
        connection.close()
        with lock:
            tally.latencies.extend(latencies)
            tally.errors += errors


def run_rotating_load(base_url, requests_for, threads=DEFAULT_THREADS, seconds=None, warmup=WARMUP_SECONDS, ok=(200,)):
    """`threads` keep-alive clients, client n sending the requests `requests_for(n)` yields, one after
    the other as fast as they are answered (a closed loop, as `run_load`)."""
    seconds = default_seconds() if seconds is None else seconds
    parts = urlsplit(base_url)
    if parts.scheme != "http" or not parts.hostname or not parts.port:
        raise ValueError(f"expected http://host:port, got {base_url!r}")
    _require_loopback(parts.hostname)
    start = time.perf_counter() + warmup
    end = start + seconds
    tally, lock = LoadResult(seconds=seconds), threading.Lock()
    clients = [
        threading.Thread(
            target=_rotating_worker,
            args=(parts.hostname, parts.port, requests_for(n), ok, start, end, tally, lock),
            name=f"bench-client-{n}",
            daemon=True,
        )
        for n in range(threads)
    ]
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    return tally


def ticks_in_processes(target, now, workers, timeout=600):
    """Run `target(now_iso, start_at, results, i)` in `workers` spawned processes that begin together
    3 s from now, as separate workers each running the cron's tick would; returns what each put in
    `results` (a shared dict). The tick benchmarks (billing, bookings) share it."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        results = manager.dict()
        start_at = time.time() + 3
        processes = [
            context.Process(target=target, args=(now.isoformat(), start_at, results, i)) for i in range(workers)
        ]
        for process in processes:
            process.start()
        for process in processes:
            process.join(timeout)
        return list(results.values())
