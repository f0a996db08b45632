"""The billing tick over 10,000 active readings with 2 workers, beside pgbench.

Every reading has metered its first minute and is due for its second: one full tick must reserve
minute 2 for each of them, exactly once. The readings (with their users, wallets, holds and the
ledger lines that put the money there) are created in bulk SQL so the set-up takes seconds; then
two worker processes run `metering.tick()` at the same moment, as two RQ workers would, and the
row reports readings billed per second and the time the whole tick took. Afterwards the run is
checked: every reading has exactly two minutes reserved, one reservation per minute in the
ledger, and `flask ledger verify` holds.
"""

import multiprocessing
import time
from datetime import timedelta

import sqlalchemy as sa

from tests.bench.ledger import pgbench_tps
from tests.bench.load import default_seconds
from tests.bench.table import Row

READINGS = 10_000
WORKERS = 2
RATE = 100
BALANCE = 10_000

SEED = """
WITH clients AS (
    INSERT INTO users (email, display_name, role, status, created_at)
    SELECT 'billing-client-' || g || '@example.test', 'Bench client ' || g, 'client', 'active', :now
      FROM generate_series(1, :n) g RETURNING id, email
), readers AS (
    INSERT INTO users (email, display_name, role, status, created_at)
    SELECT 'billing-reader-' || g || '@example.test', 'Bench reader ' || g, 'reader', 'active', :now
      FROM generate_series(1, :n) g RETURNING id, email
), pairs AS (
    SELECT c.id AS client_id, r.id AS reader_id
      FROM clients c JOIN readers r
        ON split_part(c.email, '-', 3) = split_part(r.email, '-', 3)
)
INSERT INTO readings (client_id, reader_id, mode, rate_cents, share_bps, state, requested_at,
                      request_expires_at, accepted_at, started_at, client_seen_at, reader_seen_at,
                      client_connected, reader_connected, metered_ms, meter_started_at,
                      minutes_reserved)
SELECT client_id, reader_id, 'chat', :rate, 7000, 'active', :started, :started, :started, :started,
       :now, :now, true, true, 0, :started, 1
  FROM pairs
"""

SEED_LEDGER = [
    # Stripe clearing, the wallets and the holds, with the balances the lines below explain.
    """INSERT INTO ledger_accounts (code, kind, balance, created_at)
       VALUES ('stripe:clearing', 'stripe_clearing', 0, :now) ON CONFLICT (code) DO NOTHING""",
    """INSERT INTO ledger_accounts (code, kind, owner_id, balance, created_at)
       SELECT 'wallet:' || client_id, 'client_wallet', client_id, :balance - :rate, :now FROM readings""",
    """INSERT INTO ledger_accounts (code, kind, owner_id, balance, created_at)
       SELECT 'hold:reading:' || id, 'hold', client_id, :rate, :now FROM readings""",
    # One top-up and one minute-1 reservation per reading.
    """INSERT INTO ledger_transactions (kind, idempotency_key, fingerprint, reference_type, reference_id,
                                        description, created_at)
       SELECT 'topup', 'bench:topup:' || client_id, 'bench', 'bench', client_id, 'Bench top-up', :now
         FROM readings""",
    """INSERT INTO ledger_transactions (kind, idempotency_key, fingerprint, reference_type, reference_id,
                                        description, created_at)
       SELECT 'hold_reserve', 'reading:' || id || ':minute:1', 'bench', 'reading', id,
              'Reading minute 1 reserved', :now
         FROM readings""",
    """INSERT INTO ledger_entries (transaction_id, account_id, amount, balance_after, created_at)
       SELECT t.id, a.id, x.amount, x.after, :now
         FROM readings r
         JOIN ledger_transactions t ON t.idempotency_key = 'bench:topup:' || r.client_id
         CROSS JOIN LATERAL (VALUES ('stripe:clearing', -:balance, NULL::bigint),
                                    ('wallet:' || r.client_id, :balance, CAST(:balance AS bigint)))
                    AS x(code, amount, after)
         JOIN ledger_accounts a ON a.code = x.code""",
    """INSERT INTO ledger_entries (transaction_id, account_id, amount, balance_after, created_at)
       SELECT t.id, a.id, x.amount, x.after, :now
         FROM readings r
         JOIN ledger_transactions t ON t.idempotency_key = 'reading:' || r.id || ':minute:1'
         CROSS JOIN LATERAL (VALUES ('wallet:' || r.client_id, -:rate, CAST(:balance - :rate AS bigint)),
                                    ('hold:reading:' || r.id, :rate, CAST(:rate AS bigint)))
                    AS x(code, amount, after)
         JOIN ledger_accounts a ON a.code = x.code""",
]


def _seed(app, now):
    from soulseer.extensions import db

    params = {"n": READINGS, "rate": RATE, "balance": BALANCE, "now": now, "started": now - timedelta(seconds=61)}
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(sa.text(SEED), params)
        for statement in SEED_LEDGER:
            conn.execute(sa.text(statement), params)
        conn.execute(sa.text("ANALYZE"))


def _worker(now_iso, start_at, results, index):
    from datetime import datetime

    from soulseer import create_app
    from soulseer.services import metering

    app = create_app()
    now = datetime.fromisoformat(now_iso)
    with app.app_context():
        while time.time() < start_at:
            time.sleep(0.001)
        began = time.perf_counter()
        handled = metering.tick(batch_size=250, now=now)
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
    app = create_app()
    now = clock.now()
    _seed(app, now)
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        results = manager.dict()
        start_at = time.time() + 3
        processes = [
            context.Process(target=_worker, args=(now.isoformat(), start_at, results, i)) for i in range(WORKERS)
        ]
        for process in processes:
            process.start()
        for process in processes:
            process.join(600)
        outcomes = list(results.values())
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
