"""The billing tick over 10,000 active readings with 2 workers, beside pgbench.

Every reading has metered its first minute and is due for its second: one full tick must reserve
minute 2 for each of them, exactly once. The readings (with their users, wallets, holds and the
ledger lines that put the money there) are created in bulk SQL (tests/readings/bulk.py) so the
set-up takes seconds; then two worker processes run `billing.tick()` at the same moment, as two
RQ workers would, and the row reports readings billed per second and the time the whole tick took. Afterwards the run is
checked: every reading has exactly two minutes reserved, one reservation per minute in the
ledger, and `flask ledger verify` holds.
"""

import time
from datetime import timedelta

import sqlalchemy as sa

from tests.bench.ledger import pgbench_tps
from tests.bench.load import default_seconds, ticks_in_processes
from tests.bench.servers import prepare_database
from tests.bench.table import Row

READINGS = 10_000
WORKERS = 2
RATE = 100
BALANCE = 10_000


def _seed(app, now):
    """The readings, as tests/readings/bulk.py makes them for the two-worker test, at scale."""
    from soulseer.extensions import db
    from tests.readings import bulk

    with app.app_context():
        bulk.active_readings(READINGS, rate=RATE, balance=BALANCE, started=now - timedelta(seconds=61), seen=now)
        with db.engine.begin() as conn:
            conn.execute(sa.text("ANALYZE"))


def _worker(now_iso, start_at, results, index):
    from datetime import datetime

    from soulseer import create_app
    from soulseer.services.readings import billing

    app = create_app()
    now = datetime.fromisoformat(now_iso)
    with app.app_context():
        while time.time() < start_at:
            time.sleep(0.001)
        began = time.perf_counter()
        handled = billing.tick(batch_size=250, now=now)
        results[index] = (handled, time.perf_counter() - began)


def _check(app):
    """Every reading billed its second minute exactly once, and the ledger holds."""
    from soulseer.extensions import db
    from soulseer.ledger import verify

    with app.app_context():
        reserved = db.session.execute(sa.text("SELECT minutes_reserved, count(*) FROM readings GROUP BY 1")).all()
        minute_two = db.session.execute(
            sa.text("SELECT count(*) FROM ledger_transactions WHERE idempotency_key LIKE 'reading:%:minute:2'")
        ).scalar()
        broken = [check.name for check in verify.run() if not check.ok]
    if dict(reserved) != {2: READINGS} or minute_two != READINGS or broken:
        raise RuntimeError(f"billing benchmark check failed: {reserved}, {minute_two} reservations, {broken}")


def billing_tick_beside_pgbench(servers):
    from soulseer import clock, create_app

    # The database alone: the live server's cron runs this very tick every 5 seconds.
    servers.close()
    # A new deployment's database: the readings and bookings an earlier benchmark of the same run
    # left active would be billed by this run's ticks too (and fail its exact checks).
    prepare_database()
    app = create_app()
    now = clock.now()
    _seed(app, now)
    outcomes = ticks_in_processes(_worker, now, WORKERS)
    _check(app)
    billed = sum(handled for handled, _ in outcomes)
    tick_seconds = max(seconds for _, seconds in outcomes)
    tps = pgbench_tps(max(default_seconds(), 5))
    return Row(
        benchmark=f"billing tick, {READINGS:,} active readings, {WORKERS} workers ({tick_seconds:.1f} s per tick)",
        per_second=billed / tick_seconds,
        errors=READINGS - billed,
        baseline="pgbench TPC-B-like, 8 clients",
        baseline_per_second=tps,
    )
