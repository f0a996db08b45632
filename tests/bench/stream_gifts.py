"""Gifts in a live stream (issue 17's benchmark): one public stream live, 1,000 open viewer event
streams, and gifts sent through the real app (`POST /live/<id>/gifts`, as the page's HTMX tray
sends them, with the senders' sessions and CSRF tokens) at a steady 50 a second for 5 s. Every
viewer stream is read: each gift's time from the start of its POST until *every* viewer's stream
has its chat line (`id="gift-line-<row id>"`, published after the animation) is the row's figure.
Beside it, the browse page's figures with the same streams open, in the same run.

One gift in ten is double-tapped: the same button (the same client key) posted twice at once, as a
phone's double tap arrives. Afterwards the money is checked against the ledger: one row and one
`gift:<key>` posting per key, each sender's wallet down by exactly the gifts stored, the reader's
earnings up by exactly their parts, the board's total equal to the ledger's; then `flask ledger
verify` (the CLI itself) must pass. Any gift lost (not on every stream), refused, or charged twice
is an error of the row. Goal: p95 under 300 ms, zero lost or double charges.

Senders: one gift per 500 ms and 120 an hour per sender and stream are the rules (L-7), so 50
senders each send one a second. The crowd is one signed-in user with 1,000 tabs: a public stream's
events go to every signed-in tab (`publish_public`), whoever they are.
"""

import http.client
import multiprocessing
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import sqlalchemy as sa

from tests.bench.browse import BENCH_AGENT, seed_readers, signed_in_cookie, signed_in_cookies
from tests.bench.load import default_seconds, run_load
from tests.bench.streams import STREAMS, OpenStreams
from tests.bench.table import Row

RATE = int(os.environ.get("BENCH_GIFT_RATE") or 50)
SENDERS = 50
DOUBLE_TAP_EVERY = 10  # one gift in ten is posted twice with the same key
FUNDS_CENTS = 100_00
READER_PROCESSES = int(os.environ.get("BENCH_READER_PROCESSES") or 4)
GRACE_SECONDS = 5  # after the last send, how long a gift may still arrive before it is lost
LINE = re.compile(rb'id="gift-line-(\d+)"')
AGORA = {  # credentials of Agora's shape: a stream can be created only where Agora is configured
    "AGORA_APP_ID": "0123456789abcdef0123456789abcdef",
    "AGORA_APP_CERTIFICATE": "fedcba9876543210fedcba9876543210",
}


class _ViewerStreams(OpenStreams):
    """Some of the open event streams, each read for the gift lines it receives: {row id: [times]}."""

    def __init__(self, url, cookie, count):
        super().__init__(url, cookie, count)
        self.arrived = {}  # row id -> arrival times, one per stream that got it
        self._tails = {}

    def _drain(self):
        while not self._stop.is_set():
            for key, _ in self.selector.select(timeout=0.5):
                sock = key.fileobj
                try:
                    data = sock.recv(262144)
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                if not data:
                    self.selector.unregister(sock)
                    self.closed += 1
                    continue
                now = time.monotonic()  # CLOCK_MONOTONIC: the same clock in every process
                tail = self._tails.get(sock, b"")
                text = tail + data
                for match in LINE.finditer(text):
                    if match.end() > len(tail):  # a line split between two reads counts once
                        self.arrived.setdefault(int(match.group(1)), []).append(now)
                self._tails[sock] = text[-40:]


def _read_streams(url, cookie, count, ready, stop, results):
    """One reading process: opens `count` streams, reads them until told to stop, sends back
    ({row id: [arrival times]}, streams closed early)."""
    with _ViewerStreams(url, cookie, count) as streams:
        ready.set()
        stop.wait()
        time.sleep(0.6)  # the reading thread's last select
        arrived, closed = dict(streams.arrived), streams.closed
    results.put((arrived, closed))


class ViewerStreams:
    """`count` open viewer event streams, read by READER_PROCESSES processes of their own, so
    that reading a thousand streams neither waits for the senders' threads nor slows them (one
    Python process could not both read 50,000 events a second and send the gifts on time)."""

    def __init__(self, url, cookie, count):
        context = multiprocessing.get_context("spawn")
        self._stop = context.Event()
        self._results = context.Queue()
        self._ready = []
        self._processes = []
        shares = [
            count // READER_PROCESSES + (1 if n < count % READER_PROCESSES else 0) for n in range(READER_PROCESSES)
        ]
        for share in shares:
            ready = context.Event()
            self._ready.append(ready)
            self._processes.append(
                context.Process(target=_read_streams, args=(url, cookie, share, ready, self._stop, self._results))
            )
        self.arrived, self.closed = {}, 0

    def __enter__(self):
        for process in self._processes:
            process.start()
        for ready, process in zip(self._ready, self._processes, strict=True):
            while not ready.wait(1):
                if not process.is_alive():
                    raise RuntimeError("a stream-reading process ended before its streams were open")
        return self

    def collect(self):
        """Stop reading; gather what every process saw."""
        self._stop.set()
        for _ in self._processes:
            arrived, closed = self._results.get(timeout=60)
            self.closed += closed
            for row_id, times in arrived.items():
                self.arrived.setdefault(row_id, []).extend(times)
        return self.arrived, self.closed

    def __exit__(self, *exc_info):
        self._stop.set()
        for process in self._processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()


def _prepare(reader_email, sender_emails):
    """The reader's profile, her public stream live now, each sender's wallet funded; the stream id."""
    from soulseer import create_app
    from soulseer.extensions import db
    from soulseer.ledger import keys, operations
    from soulseer.models import ReaderProfile, User
    from soulseer.services.streams import lifecycle
    from tests.conftest import LIVE_REDIS_URL

    app = create_app({"REDIS_URL": LIVE_REDIS_URL, **AGORA})
    with app.app_context():
        reader = db.session.query(User).filter_by(email=reader_email).one()
        reader.display_name = "Bench Reader"
        db.session.add(
            ReaderProfile(user_id=reader.id, slug=f"bench-streamer-{reader.id}", display_name="Bench Reader",
                          bio="Bench. " * 10, status="online")
        )  # fmt: skip
        for number, email in enumerate(sender_emails):
            sender = db.session.query(User).filter_by(email=email).one()
            sender.display_name = f"Gifter {number}"
            operations.credit_topup(sender, FUNDS_CENTS, keys.topup(f"bench-gifts-{sender.id}"), ("topup", sender.id))
        db.session.commit()
        stream = lifecycle.create(reader, "Bench: gifts with a full house")
        db.session.commit()
        lifecycle.go_live(reader, stream.id)
        db.session.commit()
        stream_id = stream.id
        db.session.remove()
        db.engine.dispose()
    return stream_id


def _csrf(address, cookie):
    """The sender's CSRF token, from a page as her browser loads it."""
    from tests.conftest import csrf_token_from

    connection = http.client.HTTPConnection(*address, timeout=30)
    connection.request("GET", "/live", headers={"Cookie": cookie, "User-Agent": BENCH_AGENT})
    page = connection.getresponse().read().decode()
    connection.close()
    return csrf_token_from(page)


class LockWaits:
    """Samples, every 50 ms while the gifts are sent, how many of the app's queries wait on a lock."""

    def __init__(self, database_url):
        self.database_url = database_url
        self.samples = []
        self._stop = threading.Event()

    def __enter__(self):
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        engine = sa.create_engine(self.database_url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.connect() as connection:
            while not self._stop.is_set():
                waiting = connection.execute(
                    sa.text(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                        "AND datname = current_database()"
                    )
                ).scalar()
                connection.commit()
                self.samples.append(waiting)
                time.sleep(0.05)
        engine.dispose()

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join()

    def summary(self):
        if not self.samples:
            return "no samples"
        return f"queries waiting on a lock: mean {sum(self.samples) / len(self.samples):.1f}, most {max(self.samples)}"


SENT = "sent"
PROBLEM = re.compile(rb'<p class="form-error" role="alert">(.*?)</p>')


def _post(address, path, sender, pick):
    """POST one gift; (outcome, seconds until the answer): SENT when the new tray says so, else the
    tray's problem (a refusal is answered 200 with the tray showing why, as HTMX swaps only 2xx
    answers: soulseer/views.py `refused`), another status, or None (no answer)."""
    began = time.monotonic()
    outcome = _send(address, path, sender, pick)
    return outcome, time.monotonic() - began


def _send(address, path, sender, pick):
    body = urllib.parse.urlencode({"csrf_token": sender["token"], "pick": pick})
    connection = http.client.HTTPConnection(*address, timeout=30)
    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={
                "Cookie": sender["cookie"],
                "User-Agent": BENCH_AGENT,
                "Content-Type": "application/x-www-form-urlencoded",
                "HX-Request": "true",  # as the page's tray sends it: the answer is the new tray
            },
        )
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            return response.status
        if b'class="gift-sent"' in body:
            return SENT
        problem = PROBLEM.search(body)
        return problem.group(1).decode() if problem else "200 without the gift"
    except OSError:
        return None
    finally:
        connection.close()


def _end_and_check(stream_id, sent_keys, sender_emails, live_env):
    """End the stream, then the money: {row id: client key}, and the problems found (empty: exact)."""
    from soulseer import create_app
    from soulseer.extensions import db
    from soulseer.ledger import LedgerEntry, LedgerTransaction
    from soulseer.models import Gift, Stream, StreamGift, User
    from soulseer.services.streams import gifts, lifecycle
    from tests.conftest import LIVE_REDIS_URL
    from tests.support.money import earnings_of, wallet_of

    problems = []
    app = create_app({"REDIS_URL": LIVE_REDIS_URL, **AGORA})
    with app.app_context():
        stream = db.session.get(Stream, stream_id)
        reader = db.session.get(User, stream.reader_id)
        lifecycle.end(reader, stream_id)
        db.session.commit()
        rows = db.session.execute(sa.select(StreamGift).filter_by(stream_id=stream_id)).scalars().all()
        by_key = {}
        for row in rows:
            by_key.setdefault(str(row.client_key), []).append(row)
        if any(len(found) > 1 for found in by_key.values()):
            problems.append("a key with two gift rows")
        missing = set(sent_keys) - set(by_key)
        if missing:
            problems.append(f"{len(missing)} keys answered as sent but with no row")
        postings = dict(
            db.session.execute(
                sa.select(LedgerTransaction.idempotency_key, sa.func.count())
                .where(LedgerTransaction.idempotency_key.in_([f"gift:{key}" for key in by_key]))
                .group_by(LedgerTransaction.idempotency_key)
            ).all()
        )
        if len(postings) != len(by_key) or any(n != 1 for n in postings.values()):
            problems.append(f"{len(postings)} gift postings for {len(by_key)} gifts")
        # Each sender's wallet: funded, less exactly her stored gifts; the reader's earnings: exactly their parts.
        for email in sender_emails:
            sender = db.session.query(User).filter_by(email=email).one()
            spent = sum(row.price_cents for row in rows if row.sender_id == sender.id)
            if wallet_of(sender) != FUNDS_CENTS - spent:
                problems.append(f"{email}: wallet {wallet_of(sender)}, expected {FUNDS_CENTS - spent}")
        if earnings_of(reader) != sum(row.to_reader_cents for row in rows):
            problems.append(f"reader's earnings {earnings_of(reader)} against {sum(r.to_reader_cents for r in rows)}")
        # The board (from the rows) against the ledger's wallet debits of the stream's gift postings.
        board_total = sum(s.total_cents for s in gifts.board(stream_id, top=10_000))
        debits = db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(LedgerEntry.amount), 0))
            .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
            .where(LedgerTransaction.reference_type == "gift", LedgerEntry.amount > 0)
            .where(LedgerTransaction.reference_id.in_([row.id for row in rows]))
        )
        if board_total != debits:
            problems.append(f"board {board_total} against the ledger's {debits}")
        rose_cents = db.session.scalar(sa.select(Gift.price_cents).filter_by(name="Rose"))
        if board_total != rose_cents * len(by_key):
            problems.append(f"board {board_total} for {len(by_key)} Roses")
        row_of = {row.id: str(row.client_key) for row in rows}
        db.session.remove()
        db.engine.dispose()
    verify = subprocess.run(  # noqa: S603
        [os.path.join(os.path.dirname(sys.executable), "flask"), "--app", "wsgi", "ledger", "verify"],
        env=live_env,
        capture_output=True,
        text=True,
    )
    if verify.returncode != 0:
        problems.append(f"flask ledger verify: {verify.stdout[-500:]} {verify.stderr[-500:]}")
    return row_of, problems


def web_cpu_seconds(live):
    """CPU seconds used so far by the live server's web processes (gunicorn and its workers: the
    process group the Procfile's web line started). Unlike the latencies, CPU per gift hardly
    depends on what else the machine runs, so it compares runs on a busy machine."""
    groups = {child.pid for name, child, _ in live._children if name == "web"}
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) in groups:  # pgrp
            total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / ticks


def _percentile(values, share):
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000, 1) if ordered else None


def stream_gifts_delivered(servers):
    """Gifts at 50 a second in a stream with 1,000 open viewer streams: p95 until every viewer's
    stream has each one, beside the browse page with the same streams open."""
    from soulseer import create_app
    from soulseer.extensions import db
    from soulseer.models import Gift

    live = servers.live()
    seed_readers()
    run = int(time.time())
    address = (urlsplit(live.url).hostname, urlsplit(live.url).port)
    reader_email = f"bench-streamer-{run}@example.test"
    signed_in_cookie(live.url, reader_email, role="reader")
    sender_emails = [f"bench-gifter-{run}-{n}@example.test" for n in range(SENDERS)]
    cookies = signed_in_cookies(live.url, sender_emails, threads=8)
    stream_id = _prepare(reader_email, sender_emails)
    app = create_app()
    with app.app_context():
        rose = db.session.execute(sa.select(Gift.id, Gift.price_cents).filter_by(name="Rose")).one()
        db.session.remove()
        db.engine.dispose()
    senders = [{"cookie": cookies[e], "token": _csrf(address, cookies[e])} for e in sender_emails]
    path = f"/live/{stream_id}/gifts"
    crowd = signed_in_cookie(live.url, f"bench-viewers-{run}@example.test")
    total = int(RATE * default_seconds())
    keys = [str(uuid.uuid4()) for _ in range(total)]
    load_before = os.getloadavg()
    with ViewerStreams(live.url, crowd, STREAMS) as viewers:
        time.sleep(1)
        baseline = run_load(live.url + "/readers")
        cpu_before = web_cpu_seconds(live)
        sent, futures = {}, []
        with LockWaits(live.env["DATABASE_URL"]) as locks, ThreadPoolExecutor(max_workers=24) as pool:
            started = time.monotonic()
            for number in range(total):
                due = started + number / RATE
                time.sleep(max(0.0, due - time.monotonic()))
                sent[keys[number]] = time.monotonic()
                pick = f"{rose.id}:{keys[number]}:{rose.price_cents}"
                sender = senders[number % SENDERS]
                futures.append((number, pool.submit(_post, address, path, sender, pick)))
                if number % DOUBLE_TAP_EVERY == 0:
                    futures.append((number, pool.submit(_post, address, path, sender, pick)))
            answers = [(number, *future.result()) for number, future in futures]
            statuses = [(number, status) for number, status, _ in answers]
            sending_took = time.monotonic() - started
        time.sleep(GRACE_SECONDS)
        web_cpu = web_cpu_seconds(live) - cpu_before
        arrived, dropped = viewers.collect()
    load_after = os.getloadavg()
    accepted = {keys[number] for number, status in statuses if status == SENT}
    refused = [status for _, status in statuses if status != SENT]
    row_of, problems = _end_and_check(stream_id, accepted, sender_emails, live.env)
    answered = [took for _, _, took in answers]
    everyone, each = [], []
    lost = 0
    for row_id, key in row_of.items():
        times = arrived.get(row_id, [])
        if len(times) < STREAMS - dropped:
            lost += 1
            continue
        everyone.append(max(times) - sent[key])
        each.extend(t - sent[key] for t in times)
    print(
        f"bench: stream {stream_id}: {total} gifts sent ({len(statuses)} posts with the double taps) in "
        f"{sending_took:.1f} s; {len(row_of)} charged, {lost} not on every stream, {len(refused)} refused "
        f"{sorted(set(map(str, refused)))}, {dropped} streams closed early; per viewer p50 "
        f"{_percentile(each, 0.5)} ms p95 {_percentile(each, 0.95)} ms; POST answered p50 "
        f"{_percentile(answered, 0.5)} ms p95 {_percentile(answered, 0.95)} ms; "
        f"{locks.summary()}; web processes' CPU {web_cpu:.1f} s, {1000 * web_cpu / max(1, len(row_of)):.0f} ms a gift; "
        f"load average "
        f"{load_before[0]:.1f} -> {load_after[0]:.1f}; money: {problems or 'exact, flask ledger verify clean'}",
        flush=True,
        file=sys.stderr,
    )
    if problems:
        raise RuntimeError(f"stream gifts benchmark: the money is not exact: {problems}")
    return Row(
        benchmark=f"gift to every viewer's stream, {RATE}/s with {STREAMS:,} open viewer streams "
        f"({len(row_of)} charged once each)",
        per_second=len(row_of) / sending_took if sending_took else None,
        p50_ms=_percentile(everyone, 0.50),
        p95_ms=_percentile(everyone, 0.95),
        errors=lost + len(refused) + dropped,
        baseline=f"browse GET /readers with the same {STREAMS:,} streams open",
        baseline_per_second=baseline.per_second,
        baseline_p95_ms=baseline.percentile_ms(0.95),
        baseline_errors=baseline.errors,
        throughput=False,
    )
