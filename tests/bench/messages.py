"""Messages delivered live (issue 14's benchmark): clients send a reader messages at a steady 50 a
second through the real app (POST /messages/<id>, with their sessions and CSRF tokens) while the
server holds 1,000 open event streams; the reader's own stream is read and each message's time from
the start of its POST until it arrives there is measured. Beside it, the browse page's figures with
the same streams open (ARCHITECTURE.md "Real time"). Goal: p95 delivery under 200 ms at 50
messages per second, none lost.

The senders are 20 clients, each in their own conversation with the reader: one client may send
30 messages per 10 minutes (docs/messages.md, M-7), so 20 carry 50 a second for 5 seconds (12–13
each). Emails carry the run's time, so a second run within ten minutes meets no limit.
"""

import http.client
import os
import re
import socket
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from tests.bench.browse import BENCH_AGENT, seed_readers, signed_in_cookie
from tests.bench.load import default_seconds, run_load
from tests.bench.streams import STREAMS, OpenStreams
from tests.bench.table import Row

RATE = int(os.environ.get("BENCH_MESSAGE_RATE") or 50)
SENDERS = 20
GRACE_SECONDS = 3  # after the last send, how long a message may still arrive before it is lost
MARKER = re.compile(rb"bench-(\d+)-end")


class RecipientStream:
    """The reader's event stream, read in a thread: when each marked message arrived."""

    def __init__(self, url, cookie):
        parts = urlsplit(url)
        self.address = (parts.hostname, parts.port)
        self.cookie = cookie
        self.arrived = {}
        self._stop = threading.Event()

    def __enter__(self):
        self.sock = socket.create_connection(self.address, timeout=30)
        self.sock.sendall(
            (
                f"GET /events HTTP/1.1\r\nHost: {self.address[0]}:{self.address[1]}\r\nAccept: text/event-stream\r\n"
                f"User-Agent: {BENCH_AGENT}\r\nCookie: {self.cookie}\r\n\r\n"
            ).encode()
        )
        opening = b""
        while b": connected" not in opening:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise RuntimeError(f"the reader's stream closed while opening: {opening[:200]!r}")
            opening += chunk
        self.sock.settimeout(0.5)
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        return self

    def _read(self):
        tail = b""
        while not self._stop.is_set():
            try:
                chunk = self.sock.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not chunk:
                return
            now = time.monotonic()
            tail = tail[-64:] + chunk  # a marker split between two reads is still found
            for match in MARKER.finditer(tail):
                self.arrived.setdefault(int(match.group(1)), now)

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join()
        self.sock.close()


def _conversations(reader_email, client_emails):
    """The reader's profile and one conversation per client; {client email: conversation id}."""
    from soulseer import create_app
    from soulseer.extensions import db
    from soulseer.models import ReaderProfile, User
    from soulseer.services.messages import sending
    from tests.conftest import LIVE_REDIS_URL

    app = create_app({"REDIS_URL": LIVE_REDIS_URL})
    with app.app_context():
        reader = db.session.query(User).filter_by(email=reader_email).one()
        slug = f"bench-reader-{reader.id}"
        db.session.add(ReaderProfile(user_id=reader.id, slug=slug, display_name="Bench Reader", bio="Bench. " * 10))
        db.session.commit()
        found = {}
        for email in client_emails:
            client = db.session.query(User).filter_by(email=email).one()
            message, _ = sending.start(client, reader, "Hello")
            db.session.commit()
            found[email] = message.conversation_id
        db.session.remove()
        db.engine.dispose()
    return found


def _csrf_token(address, cookie, path):
    from tests.conftest import csrf_token_from

    connection = http.client.HTTPConnection(*address, timeout=30)
    connection.request("GET", path, headers={"Cookie": cookie, "User-Agent": BENCH_AGENT})
    page = connection.getresponse().read().decode()
    connection.close()
    return csrf_token_from(page)


def _post(address, sender, number):
    body = urllib.parse.urlencode(
        {"csrf_token": sender["token"], "body": f"Bench message {number} (bench-{number}-end)"}
    )
    connection = http.client.HTTPConnection(*address, timeout=30)
    try:
        connection.request(
            "POST",
            sender["path"],
            body=body,
            headers={
                "Cookie": sender["cookie"],
                "User-Agent": BENCH_AGENT,
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()


def message_delivery(servers):
    """Messages to a reader at 50 a second with 1,000 open event streams: p95 until the reader's
    stream has each one, beside the browse page with the same streams open."""
    live = servers.live()
    seed_readers()
    run = int(time.time())
    address = (urlsplit(live.url).hostname, urlsplit(live.url).port)
    reader_email = f"bench-reader-{run}@example.test"
    reader_cookie = signed_in_cookie(live.url, reader_email, role="reader")
    client_emails = [f"bench-sender-{run}-{n}@example.test" for n in range(SENDERS)]
    cookies = {email: signed_in_cookie(live.url, email) for email in client_emails}
    conversations = _conversations(reader_email, client_emails)
    senders = []
    for email in client_emails:
        path = f"/messages/{conversations[email]}"
        senders.append({"cookie": cookies[email], "path": path, "token": _csrf_token(address, cookies[email], path)})
    crowd = signed_in_cookie(live.url, f"bench-crowd-{run}@example.test")
    total = int(RATE * default_seconds())
    with OpenStreams(live.url, crowd, STREAMS - 1) as streams, RecipientStream(live.url, reader_cookie) as inbox:
        time.sleep(1)
        baseline = run_load(live.url + "/readers")
        sent = {}
        statuses = []
        with ThreadPoolExecutor(max_workers=16) as pool:
            started = time.monotonic()
            futures = []
            for number in range(total):
                due = started + number / RATE
                time.sleep(max(0.0, due - time.monotonic()))
                sent[number] = time.monotonic()
                futures.append(pool.submit(_post, address, senders[number % SENDERS], number))
            statuses = [future.result() for future in futures]
            sending_took = time.monotonic() - started
        time.sleep(GRACE_SECONDS)
        arrived = dict(inbox.arrived)
        dropped = streams.closed
    delivered = sorted(arrived[n] - sent[n] for n in sent if n in arrived)
    refused = sum(1 for status in statuses if status != 303)
    lost = total - len(delivered)

    def percentile(share):
        return round(delivered[min(len(delivered) - 1, int(share * len(delivered)))] * 1000, 1) if delivered else None

    print(
        f"bench: {total} messages sent in {sending_took:.1f} s, {len(delivered)} delivered, {refused} refused, "
        f"{dropped} streams closed early",
        flush=True,
        file=_log(),
    )
    return Row(
        benchmark=f"message to a reader, delivered live, {RATE}/s with {STREAMS:,} open event streams",
        per_second=len(delivered) / sending_took if sending_took else None,
        p50_ms=percentile(0.50),
        p95_ms=percentile(0.95),
        errors=lost + refused + dropped,
        baseline=f"browse GET /readers with the same {STREAMS:,} streams open",
        baseline_per_second=baseline.per_second,
        baseline_p95_ms=baseline.percentile_ms(0.95),
        baseline_errors=baseline.errors,
        throughput=False,
    )


def _log():
    import sys

    return sys.stderr
