"""The live room at scale (issue #20): heartbeats of 20,000 participants in 10,000 active readings
while the billing tick runs, beside pgbench; and the tick's own time per 5 s cycle meanwhile.

The readings are made in bulk SQL (tests/readings/bulk.py), active, both sides connected, their
meters started at moments spread over the last minute, so each cycle of the tick reserves the next
minute of about a twelfth of them while the heartbeats arrive (`_rooms_in_their_steady_state`).
Both sides are signed in: their session cookies and CSRF tokens are made
with the app's own secret, exactly as a sign-in leaves them (no 20,000 password hashes), and
each room's panel version computed as its page got it on opening. The web
process alone is started (no cron, no RQ worker): two processes of our own run `billing.tick()`
every 5 s, as two RQ workers would, and time each cycle. The load is a closed loop of 8 clients,
each taking the next participant in turn and posting its heartbeat with the panel version it was
last given (204 when unchanged, as the room's page does); two rounds over all 20,000 are not
measured (the steady state: every room has been heard before; `ROUND_LIMIT_SECONDS` says how). Each
client keeps one connection, so a participant's heartbeats reach the same web process each time
(in the product they may reach either; each process then hears a room every 20 s rather than 10 s,
still within the 60 s a heard room is kept: quick_heartbeats.ROW_KEPT_SECONDS).
"""

import collections
import itertools
import multiprocessing
import re
import time
from datetime import timedelta

import sqlalchemy as sa

from tests.bench.browse import BENCH_AGENT
from tests.bench.ledger import pgbench_tps
from tests.bench.load import DEFAULT_THREADS, default_seconds, run_rotating_load
from tests.bench.servers import prepare_database, web_workers
from tests.bench.table import Row
from tests.support.live_server import LiveServer

READINGS = 10_000
TICK_WORKERS = 2
TICK_SECONDS = 5
RATE = 100
BALANCE = 100_000
# The first two rounds over every participant are not measured: in the product each room has been
# heard every 10 s since it opened, and the web processes answer a room they have heard before
# without reading its row (soulseer/quick_heartbeats.py). The first round, before the rooms are put
# in their steady state and the tick starts, is each web process's first sight of every session
# (its cookie and CSRF token checked once); a first round slower than 25 s with the tick running
# would let it pause the rooms heard at its start (the state after a restart of every web process
# at once, not the steady one). The second, with the tick running, reads every room's row again
# (the steady state's SQL moved every version) and keeps it; then every side is marked heard now
# (`_everyone_heard_just_now`). A round slower than this is cut short.
ROUND_LIMIT_SECONDS = 90
PREFIX = "hb"  # the people of these readings (the billing row's are "bulk")
VERSION = re.compile(rb'data-panel-version="([0-9a-f]+)"')


def _seed(app, now):
    """10,000 active readings, due for minute 2, whose people have given consent; returns
    [(reading id, user id, session epoch)] for each participant."""
    from soulseer.extensions import db
    from soulseer.services import accounts
    from tests.readings import bulk

    with app.app_context():
        ids = bulk.active_readings(
            READINGS, rate=RATE, balance=BALANCE, started=now - timedelta(seconds=61), seen=now, prefix=PREFIX
        )
        terms, agreement = accounts.current_terms_version(), accounts.reader_agreement_version()
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "UPDATE users SET adult_confirmed_at = :now, terms_version = :terms, terms_accepted_at = :now "
                    "WHERE email LIKE :people"
                ),
                {"now": now, "terms": terms, "people": f"{PREFIX}-%"},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO agreement_acceptances (user_id, page_slug, version, accepted_at) "
                    "SELECT id, 'reader-agreement', :version, :now FROM users WHERE email LIKE :readers"
                ),
                {"version": agreement, "now": now, "readers": f"{PREFIX}-reader-%"},
            )
            conn.execute(sa.text("ANALYZE"))
            rows = conn.execute(
                sa.text(
                    "SELECT r.id, u.id, u.session_epoch FROM readings r "
                    "JOIN users u ON u.id IN (r.client_id, r.reader_id) WHERE r.id = ANY(:ids) ORDER BY r.id, u.id"
                ),
                {"ids": ids},
            ).all()
        versions = _panel_versions(ids, now)
        db.session.remove()
        db.engine.dispose()
    return [(reading_id, user_id, epoch, versions[reading_id]) for reading_id, user_id, epoch in rows]


def _panel_versions(ids, now):
    """Each reading's panel version, as the room's page got it with its panel when it opened
    (computed here rather than by 20,000 first heartbeats: the benchmark measures the steady state)."""
    from soulseer.extensions import db
    from soulseer.ledger.models import LedgerAccount
    from soulseer.models.reading import Reading
    from soulseer.services.readings import room

    wallets = dict(
        db.session.execute(
            sa.select(LedgerAccount.owner_id, LedgerAccount.balance).where(LedgerAccount.code.like("wallet:%"))
        ).all()
    )
    readings = db.session.execute(sa.select(Reading).where(Reading.id.in_(ids))).scalars()
    return {reading.id: room.panel_version(reading, wallets.get(reading.client_id, 0), now) for reading in readings}


def _participants(app, rows):
    """[(reading id, Cookie header, CSRF token)] and {position: panel version}: each side's session
    as signing in leaves it (the user and epoch, fresh, tied to this address and User-Agent,
    permanent, with a CSRF token), and the version of the panel its room shows."""
    from flask import session
    from flask_login.utils import _create_identifier
    from flask_wtf.csrf import generate_csrf

    serializer = app.session_interface.get_signing_serializer(app)
    name = app.config["SESSION_COOKIE_NAME"]
    participants, versions = [], {}
    for reading_id, user_id, epoch, version in rows:
        versions[len(participants)] = version
        with app.test_request_context(
            "/", environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={"User-Agent": BENCH_AGENT}
        ):
            token = generate_csrf()
            data = {**session, "_user_id": f"{user_id}:{epoch}", "_fresh": True, "_id": _create_identifier()}
            data["_permanent"] = True
            participants.append((reading_id, f"{name}={serializer.dumps(data)}", token))
    return participants, versions


def _heartbeats(participants, versions, answers, rounds=None):
    """The requests of client n: its share of the participants in turn (`rounds` times, else until
    the load ends), each heartbeat with the panel version its last answer carried (kept in
    `versions`, as the page keeps it). `answers` counts the statuses: 204 (panel unchanged) and 200
    (the panel sent)."""

    def requests_for(n):
        mine = range(n, len(participants), DEFAULT_THREADS)
        for _ in itertools.repeat(None) if rounds is None else range(rounds):
            for position in mine:
                reading_id, cookie, token = participants[position]
                headers = {"Cookie": cookie, "User-Agent": BENCH_AGENT, "X-CSRFToken": token, "HX-Request": "true"}
                if position in versions:
                    headers["X-Panel-Version"] = versions[position]
                status, body = yield "POST", f"/readings/{reading_id}/heartbeat", headers
                answers[status] += 1
                if status == 200:
                    found = VERSION.search(body)
                    if found:
                        versions[position] = found.group(1).decode()

    return requests_for


def _everyone_heard_just_now(app):
    """Both sides of every active room heard now, as the steady state has them (each heard in the
    last 10 s): a setup round slower than 25 s would otherwise leave the rooms heard at its start
    to be paused before the measured load comes back to them. Only the times, which no page shows
    and no kept room's row is read for."""
    from soulseer import clock
    from soulseer.extensions import db

    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(
                sa.text("UPDATE readings SET client_seen_at = :now, reader_seen_at = :now WHERE state = 'active'"),
                {"now": clock.now()},
            )
        db.engine.dispose()


def _unmeasured_round(app, url, participants, versions):
    """One heartbeat of every participant, not measured: (seconds, its answers, readings paused
    after it)."""
    from soulseer.extensions import db

    began, answers = time.perf_counter(), collections.Counter()
    run_rotating_load(
        url,
        _heartbeats(participants, versions, answers, rounds=1),
        seconds=ROUND_LIMIT_SECONDS,
        warmup=0,
        ok=(200, 204),
    )
    took = time.perf_counter() - began
    with app.app_context():
        paused = db.session.execute(sa.text("SELECT count(*) FROM readings WHERE state = 'paused'")).scalar()
        db.session.remove()
    return took, answers, paused


def _ticking(ready, go, stop, results, index, redis_url):
    """One RQ worker's share: from `go` until `stop`, a tick every TICK_SECONDS, each cycle timed."""
    from soulseer import create_app
    from soulseer.services.readings import billing

    app = create_app({"REDIS_URL": redis_url})
    cycles = []
    with app.app_context():
        ready.release()
        go.wait()
        while not stop.is_set():
            began = time.perf_counter()
            results[f"running-{index}"] = time.time()  # a cycle under way when the load ends counts too
            handled = billing.tick(batch_size=250)
            cycles.append((handled, time.perf_counter() - began))
            results[index] = list(cycles)
            results.pop(f"running-{index}", None)
            stop.wait(max(0.0, TICK_SECONDS - (time.perf_counter() - began)))


def _rooms_in_their_steady_state(app, participants, versions):
    """Every side heard from just now (making 20,000 sessions took longer than the 25 s after which
    a silent side pauses its reading), and the rooms' meters started at times spread over the last
    minute, as when readings began at different moments: each 5 s cycle of the tick then reserves
    the next minute of about a twelfth of them, as in a steady state. (Until 2026-12-06 every
    reading was due for minute 2 at the same moment: the first cycle changed all 10,000 panels at
    once and every heartbeat after it was answered with a rendered panel, a state the product only
    knows for the one cycle after a restart.) The pages' panel versions follow (`_panel_versions`)."""
    from soulseer import clock
    from soulseer.extensions import db
    from soulseer.services.core import header_versions

    now = clock.now()
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "UPDATE readings SET client_seen_at = :now, reader_seen_at = :now, "
                    "meter_started_at = :now - make_interval(secs => id % 60) WHERE state = 'active'"
                ),
                {"now": now},
            )
        header_versions.bump_everyone()  # SQL outside the session says so itself: the rooms the web kept are read again
        fresh = _panel_versions([reading_id for reading_id, _, _ in participants], now)
        db.session.remove()
        db.engine.dispose()
    for position, (reading_id, _, _) in enumerate(participants):
        versions[position] = fresh[reading_id]


def heartbeats_with_the_tick(servers):
    """Two rows: heartbeats per second (and their p95) beside pgbench, and the tick's cycles."""
    from soulseer import clock, create_app
    from tests.conftest import LIVE_REDIS_URL

    servers.close()  # this benchmark runs its own web process, without the cron's tick
    # A new deployment's database: the readings and bookings an earlier benchmark of the same run
    # left active would be billed by this run's ticks too (and fail its exact checks).
    prepare_database()
    app = create_app({"REDIS_URL": LIVE_REDIS_URL})
    participants, versions = _participants(app, _seed(app, clock.now()))
    answers = collections.Counter()
    web = LiveServer(env={"REDIS_URL": LIVE_REDIS_URL, "WEB_CONCURRENCY": web_workers()}, processes=("web",))
    try:
        web.start(wait_for_health=False)
        seconds = max(default_seconds(), 3 * TICK_SECONDS)
        context = multiprocessing.get_context("spawn")
        with context.Manager() as manager:
            results, ready, go, stop = manager.dict(), manager.Semaphore(0), manager.Event(), manager.Event()
            ticks = [
                context.Process(target=_ticking, args=(ready, go, stop, results, i, LIVE_REDIS_URL))
                for i in range(TICK_WORKERS)
            ]
            for process in ticks:
                process.start()
            for _ in ticks:
                ready.acquire()
            warm_up = [_unmeasured_round(app, web.url, participants, versions)]  # the tick not yet running
            _rooms_in_their_steady_state(app, participants, versions)
            go.set()
            warm_up.append(_unmeasured_round(app, web.url, participants, versions))
            _everyone_heard_just_now(app)
            load = run_rotating_load(
                web.url, _heartbeats(participants, versions, answers), seconds=seconds, ok=(200, 204)
            )
            stop.set()
            ended = time.time()
            for process in ticks:
                process.join(60)
            running = [results[key] for key in list(results.keys()) if str(key).startswith("running-")]
            unfinished = [ended - started for started in running]
            for process in ticks:  # a cycle still running a minute later is stopped: its batch rolls back
                if process.is_alive():
                    process.terminate()
                    process.join()
            cycles = [cycle for index in range(TICK_WORKERS) for cycle in results.get(index, [])]
    finally:
        web.stop()
    with app.app_context():
        from soulseer.extensions import db
        from soulseer.ledger import verify

        states = dict(db.session.execute(sa.text("SELECT state, count(*) FROM readings GROUP BY 1")).all())
        broken = [check.name for check in verify.run() if not check.ok]
        db.session.remove()
        db.engine.dispose()
    if broken:
        raise RuntimeError(f"heartbeat benchmark: the ledger does not verify: {broken}")
    tps = pgbench_tps(max(default_seconds(), 5))
    handled = sum(count for count, _ in cycles)
    longest = max([took for _, took in cycles] + unfinished, default=0.0)
    busy = sum(took for _, took in cycles)
    paused = states.get("paused", 0)
    return [
        Row(
            benchmark=(
                f"heartbeats, {len(participants):,} participants of {READINGS:,} active readings, "
                f"tick running, after {len(warm_up)} unmeasured rounds ("
                + "; ".join(
                    f"{took:.0f} s, {round_answers[204]:,} answered 204, {round_answers[200]:,} with the panel, "
                    f"{paused:,} readings paused after it"
                    for took, round_answers, paused in warm_up
                )
                + f"): {answers[204]:,} answered 204, {answers[200]:,} with the panel; "
                f"{paused:,} readings paused at the end)"
            ),
            per_second=load.per_second,
            p50_ms=load.percentile_ms(0.50),
            p95_ms=load.percentile_ms(0.95),
            errors=load.errors,
            baseline="pgbench TPC-B-like, 8 clients",
            baseline_per_second=tps,
        ),
        Row(
            benchmark=(
                f"billing tick while they arrive, {TICK_WORKERS} workers every {TICK_SECONDS} s "
                f"({len(cycles)} cycles done, {len(unfinished)} still running when the load ended; "
                f"longest {longest:.1f} s)"
            ),
            per_second=handled / busy if busy else None,
            errors=0,
            baseline="pgbench TPC-B-like, 8 clients",
            baseline_per_second=tps,
        ),
    ]
