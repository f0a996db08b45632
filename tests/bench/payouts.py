"""The daily payout run over 5,000 eligible readers with 2 workers, against the loopback Stripe fake,
beside pgbench (issue #19: the whole run under 60 s, zero double transfers).

Every reader has an active connected account and $21.00 of earnings that cleared days ago. They
are made in bulk SQL (the ledger lines a top-up and a purchase would have written, so `flask ledger
verify` holds). Then two worker processes, as two RQ workers with the cron's tick would, each run
the payouts tick until the daily run has looked at every reader, then work the queue of Transfer
jobs in burst mode against the fake (tests/support/stripe_fake.py, over HTTP). The row reports
payouts per second over the whole run, and how long the ticks took to make the payouts; afterwards
every reader must have exactly one paid payout, the fake's record exactly one transfer per reader,
and the ledger must verify.
"""

import multiprocessing
import time
from datetime import timedelta

import sqlalchemy as sa

from tests.bench.ledger import pgbench_tps
from tests.bench.load import default_seconds
from tests.bench.table import Row

READERS = 5_000
WORKERS = 2
EARNED = 2_100  # each reader's cleared earnings, in cents
CONNECT_SECRET = "whsec_bench_connect"

PEOPLE = """
INSERT INTO users (email, display_name, role, status, created_at)
SELECT 'bench-' || kind || '-' || g || '@example.test', 'Bench ' || kind || ' ' || g, kind, 'active', :earned_at
  FROM generate_series(1, :n) g CROSS JOIN (VALUES ('client'), ('reader')) AS k(kind)
"""
ACCOUNTS = """
INSERT INTO payout_accounts (user_id, stripe_account_id, test, details_submitted, payouts_enabled, transfers,
                             status_as_of, created_at, updated_at)
SELECT id, 'acct_bench_' || id, false, true, true, 'active', :earned_at, :earned_at, :earned_at
  FROM users WHERE role = 'reader' AND email LIKE 'bench-reader-%'
"""
# Per reader: her client's top-up ($21.00 into the wallet), then a purchase of the same amount with
# all of it credited to her earnings, both at `earned_at` (cleared by the run).
LEDGER = [
    """INSERT INTO ledger_accounts (code, kind, balance, created_at)
       VALUES ('stripe:clearing', 'stripe_clearing', 0, :earned_at) ON CONFLICT (code) DO NOTHING""",
    """INSERT INTO ledger_accounts (code, kind, owner_id, balance, created_at)
       SELECT 'wallet:' || id, 'client_wallet', id, 0, :earned_at FROM users WHERE email LIKE 'bench-client-%'""",
    """INSERT INTO ledger_accounts (code, kind, owner_id, balance, created_at)
       SELECT 'earnings:' || id, 'reader_earnings', id, :earned, :earned_at FROM users
        WHERE email LIKE 'bench-reader-%'""",
    """INSERT INTO ledger_transactions (kind, idempotency_key, fingerprint, reference_type, reference_id,
                                        description, created_at)
       SELECT kind, 'bench:' || kind || ':' || u.id, 'bench', 'bench', u.id, 'Bench ' || kind, :earned_at
         FROM users u CROSS JOIN (VALUES ('topup'), ('purchase')) AS k(kind) WHERE u.email LIKE 'bench-client-%'""",
    """INSERT INTO ledger_entries (transaction_id, account_id, amount, balance_after, created_at)
       SELECT t.id, a.id, x.amount, x.after, :earned_at
         FROM users c
         JOIN users r ON r.email = replace(c.email, 'bench-client-', 'bench-reader-')
         CROSS JOIN LATERAL (VALUES
             ('topup', 'stripe:clearing', -:earned, NULL::bigint),
             ('topup', 'wallet:' || c.id, :earned, CAST(:earned AS bigint)),
             ('purchase', 'wallet:' || c.id, -:earned, CAST(0 AS bigint)),
             ('purchase', 'earnings:' || r.id, :earned, CAST(:earned AS bigint))) AS x(kind, code, amount, after)
         JOIN ledger_transactions t ON t.idempotency_key = 'bench:' || x.kind || ':' || c.id
         JOIN ledger_accounts a ON a.code = x.code
        WHERE c.email LIKE 'bench-client-%'""",
]


def _run_at():
    """The latest start of a daily run (14:00 UTC), five minutes in."""
    from soulseer import clock

    now = clock.now()
    at = now.replace(hour=14, minute=5, second=0, microsecond=0)
    return at if at <= now else at - timedelta(days=1)


def _seed(app, fake, run_at):
    from soulseer.extensions import db
    from tests.support.stripe_fake import account_snapshot

    params = {"n": READERS, "earned": EARNED, "earned_at": run_at - timedelta(days=4)}
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(sa.text(PEOPLE), params)
        conn.execute(sa.text(ACCOUNTS), params)
        for statement in LEDGER:
            conn.execute(sa.text(statement), params)
        conn.execute(sa.text("ANALYZE"))
        account_ids = conn.execute(sa.text("SELECT stripe_account_id FROM payout_accounts")).scalars().all()
    for account_id in account_ids:
        fake.accounts[account_id] = account_snapshot(account_id, transfers="active", payouts_enabled=True,
                                                     details_submitted=True)  # fmt: skip


def _config(fake_url):
    from tests.support.stripe_fake import API_KEY

    return {
        "STRIPE_SECRET_KEY": API_KEY,
        "STRIPE_API_BASE": fake_url,
        "STRIPE_WEBHOOK_SECRET": "whsec_bench",
        "STRIPE_CONNECT_WEBHOOK_SECRET": CONNECT_SECRET,
        "TEST_PAYMENTS_ENABLED": False,
    }


def _worker(fake_url, run_at_iso, start_at, results, index):
    from datetime import datetime

    from rq import Queue, SimpleWorker

    from soulseer import create_app
    from soulseer.extensions import get_redis
    from soulseer.services.payouts import transfers

    app = create_app(_config(fake_url))
    run_at = datetime.fromisoformat(run_at_iso)
    with app.app_context():
        while time.time() < start_at:
            time.sleep(0.001)
        began = time.perf_counter()
        looked_at = 0
        while handled := transfers.tick(run_at):
            looked_at += handled
        made = time.perf_counter() - began
        SimpleWorker([Queue("default", connection=get_redis())], connection=get_redis()).work(
            burst=True, logging_level="WARNING"
        )
        results[index] = (looked_at, time.perf_counter() - began, made)


def _check(app, fake):
    """One paid payout per reader, one transfer per reader in the fake's record, the ledger holds."""
    from soulseer.extensions import db
    from soulseer.ledger import verify

    with app.app_context():
        statuses = dict(db.session.execute(sa.text("SELECT status, count(*) FROM payouts GROUP BY 1")).all())
        per_reader = db.session.execute(
            sa.text("SELECT max(n) FROM (SELECT count(*) n FROM payouts GROUP BY user_id) x")
        )
        most = per_reader.scalar()
        broken = [check.name for check in verify.run() if not check.ok]
    destinations = [transfer["destination"] for transfer in fake.transfers.values()]
    doubles = len(destinations) - len(set(destinations))
    if statuses != {"paid": READERS} or most != 1 or len(destinations) != READERS or doubles or broken:
        raise RuntimeError(
            f"payouts benchmark check failed: {statuses}, at most {most} per reader, "
            f"{len(destinations)} transfers ({doubles} double), {broken}"
        )
    return doubles


def daily_payouts_beside_pgbench(servers):
    from soulseer import create_app
    from tests.support.stripe_fake import StripeFake

    servers.close()  # the database alone: the live cron would run this very tick
    fake = StripeFake().start()
    fake.balance_available = 2 * READERS * EARNED  # enough: a short balance fails payouts, by design
    try:
        app = create_app(_config(fake.url))
        run_at = _run_at()
        _seed(app, fake, run_at)
        context = multiprocessing.get_context("spawn")
        with context.Manager() as manager:
            results = manager.dict()
            start_at = time.time() + 3
            processes = [
                context.Process(target=_worker, args=(fake.url, run_at.isoformat(), start_at, results, i))
                for i in range(WORKERS)
            ]
            for process in processes:
                process.start()
            for process in processes:
                process.join(900)
            outcomes = list(results.values())
        doubles = _check(app, fake)
    finally:
        fake.stop()
    run_seconds = max(seconds for _, seconds, _ in outcomes)
    making_seconds = max(made for _, _, made in outcomes)  # the daily run's ticks, before the Transfer jobs
    tps = pgbench_tps(max(default_seconds(), 5))
    return Row(
        benchmark=f"daily payouts, {READERS:,} readers, {WORKERS} workers, Stripe fake "
        f"(whole run {run_seconds:.1f} s, payouts made in the first {making_seconds:.1f} s; "
        f"{doubles} double transfers)",
        per_second=READERS / run_seconds,
        errors=READERS - len(fake.transfers) + doubles,
        baseline="pgbench TPC-B-like, 8 clients",
        baseline_per_second=tps,
    )
