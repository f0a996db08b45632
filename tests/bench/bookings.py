"""Scheduled readings (issue #16's benchmark): the booking page of a reader with a full 60-day
horizon and 500 bookings, and the bookings' tick over 10,000 bookings due. Goals: the slot page's
p95 under 50 ms; the tick over 10,000 in under 5 s.

The page: a reader in New York open every day, all day, for 60 days (15-minute starts: 5,760 a
length before her bookings), 500 confirmed hour-long bookings spread over the horizon; a signed-in
client in London asks for `/readers/<slug>/book`, which runs the slot algorithm (S-3) over the
whole horizon, beside the minimal page (the browse page and pgbench are rows of the same run).

The tick: 5,000 bookings whose reader never came (in progress, their room open 11 minutes after
the start: each settles as a no-show, everything back through its hold's release, both told) and
5,000 a day ahead whose 24-hour reminder is due (both told in-app and by email), made in bulk SQL
with the ledger lines a real booking writes (a top-up, then the price into `hold:booking:<id>`),
so `flask ledger verify` holds. Two workers run `attending.tick` at the same moment, as two RQ
workers would; afterwards every no-show is cancelled and released once, every reminder sent once.
"""

import time
from datetime import timedelta

import sqlalchemy as sa

from tests.bench.browse import BENCH_AGENT, signed_in_cookie
from tests.bench.ledger import pgbench_tps
from tests.bench.load import default_seconds, ticks_in_processes
from tests.bench.servers import prepare_database
from tests.bench.table import Row
from tests.bench.web import page_beside_minimal

HORIZON_DAYS = 60
PAGE_BOOKINGS = 500
PAIRS = 5_000  # each pair of people has one no-show and one reminder due: 10,000 bookings
WORKERS = 2
PRICE = 750
BALANCE = 10_000
SLUG = "bench-booked-reader"


# The booking page ---------------------------------------------------------------------------------


def _seed_reader():
    """The reader, her hours and 500 bookings (once). Returns the page's path."""
    from soulseer import clock, create_app
    from soulseer.extensions import db
    from soulseer.models import Booking, ReaderProfile, User
    from soulseer.services.bookings import availability
    from tests.conftest import LIVE_REDIS_URL

    app = create_app({"REDIS_URL": LIVE_REDIS_URL})
    with app.app_context():
        if db.session.execute(sa.select(ReaderProfile).filter_by(slug=SLUG)).scalar_one_or_none() is None:
            now = clock.now()
            reader = User(email="bench-booked-reader@example.test", display_name="Booked Reader", role="reader")
            client = User(email="bench-booking-client@example.test", display_name="Booking Client", role="client")
            db.session.add_all([reader, client])
            db.session.flush()
            db.session.add(
                ReaderProfile(user_id=reader.id, slug=SLUG, display_name="Booked Reader", rate_chat_cents=100)
            )
            availability.save(
                reader,
                availability.AvailabilityInput(
                    time_zone="America/New_York", lengths=[30, 60], prices={}, notice_minutes=0,
                    horizon_days=HORIZON_DAYS, buffer_minutes=10, weekly={day: "0:00-24:00" for day in range(7)},
                ),
            )  # fmt: skip
            first = (now + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
            gap = timedelta(minutes=(HORIZON_DAYS - 2) * 24 * 60 // PAGE_BOOKINGS // 15 * 15)  # 165 minutes
            db.session.execute(
                sa.insert(Booking),
                [
                    {
                        "client_id": client.id, "reader_id": reader.id, "mode": "chat", "length_minutes": 60,
                        "price_cents": 6000, "share_bps": 7000, "starts_at": first + n * gap,
                        "ends_at": first + n * gap + timedelta(minutes=60),
                        "blocked_until": first + n * gap + timedelta(minutes=70),
                        "client_time_zone": "Europe/London", "reader_time_zone": "America/New_York",
                        "state": "confirmed",
                    }
                    for n in range(PAGE_BOOKINGS)
                ],
            )  # fmt: skip
            db.session.commit()
            db.session.execute(sa.text("ANALYZE bookings, availability_rules, booking_settings"))
            db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return f"/readers/{SLUG}/book?tz=Europe/London&length=30"


def booking_slot_page(servers):
    """`GET /readers/<slug>/book` as a signed-in client: every free 30-minute start of 60 days."""
    live = servers.live()
    path = _seed_reader()
    headers = {"Cookie": signed_in_cookie(live.url, "bench-booking-page@example.test"), "User-Agent": BENCH_AGENT}
    return page_beside_minimal(
        servers, f"booking page, {HORIZON_DAYS}-day horizon, {PAGE_BOOKINGS} bookings (signed-in client)", path,
        headers=headers,
    )  # fmt: skip


# The tick -----------------------------------------------------------------------------------------

PEOPLE = [
    """INSERT INTO users (email, display_name, role, status, created_at, time_zone)
       SELECT 'bookbench-client-' || g || '@example.test', 'Client ' || g, 'client', 'active', :now, 'Europe/London'
         FROM generate_series(1, :n) g""",
    """INSERT INTO users (email, display_name, role, status, created_at)
       SELECT 'bookbench-reader-' || g || '@example.test', 'Reader ' || g, 'reader', 'active', :now
         FROM generate_series(1, :n) g""",
    """CREATE TEMPORARY TABLE bench_pairs ON COMMIT DROP AS
       SELECT c.id AS client_id, r.id AS reader_id
         FROM users c JOIN users r ON r.email = replace(c.email, 'bookbench-client-', 'bookbench-reader-')
        WHERE c.email LIKE 'bookbench-client-%'""",
    """INSERT INTO booking_settings (reader_id, time_zone, lengths, updated_at)
       SELECT reader_id, 'America/New_York', '{15}', :now FROM bench_pairs""",
]

BOOKINGS = """
INSERT INTO bookings (client_id, reader_id, mode, length_minutes, price_cents, share_bps, starts_at, ends_at,
                      blocked_until, client_time_zone, reader_time_zone, state, created_at)
SELECT client_id, reader_id, 'chat', 15, :price, 7000, s.starts_at, s.starts_at + interval '15 minutes',
       s.starts_at + interval '25 minutes', 'Europe/London', 'America/New_York', s.state, :now - interval '2 days'
  FROM bench_pairs
 CROSS JOIN (VALUES (CAST(:no_show_start AS timestamptz), 'in_progress'),
                    (CAST(:reminded_start AS timestamptz), 'confirmed')) AS s(starts_at, state)
"""

AFTER_BOOKINGS = [
    """CREATE TEMPORARY TABLE new_bookings ON COMMIT DROP AS
       SELECT b.*, row_number() OVER (PARTITION BY b.client_id ORDER BY b.id) AS nth
         FROM bookings b JOIN bench_pairs p ON p.client_id = b.client_id""",
    # The room of each no-show, opened at start - 5 min and never joined (attending.open_room).
    """INSERT INTO readings (client_id, reader_id, mode, rate_cents, share_bps, spend_cap_cents, minutes_reserved,
                             state, requested_at, request_expires_at, accepted_at, booking_id)
       SELECT client_id, reader_id, 'chat', 50, 7000, 750, 15, 'accepted', starts_at - interval '5 minutes',
              starts_at - interval '5 minutes', starts_at - interval '5 minutes', id
         FROM new_bookings WHERE state = 'in_progress'""",
    """INSERT INTO booking_reminders (booking_id, kind, send_at)
       SELECT id, k.kind, starts_at - k.ahead FROM new_bookings
        CROSS JOIN (VALUES ('24h', interval '24 hours'), ('15m', interval '15 minutes')) AS k(kind, ahead)
        WHERE state = 'confirmed'""",
    # The ledger: a top-up into each client's wallet, then each booking's price into its hold.
    """INSERT INTO ledger_accounts (code, kind, balance, created_at)
       VALUES ('stripe:clearing', 'stripe_clearing', 0, :now) ON CONFLICT (code) DO NOTHING""",
    """INSERT INTO ledger_accounts (code, kind, owner_id, balance, created_at)
       SELECT 'wallet:' || client_id, 'client_wallet', client_id, :balance - 2 * :price, :now FROM bench_pairs""",
    """INSERT INTO ledger_accounts (code, kind, owner_id, balance, created_at)
       SELECT 'hold:booking:' || id, 'hold', client_id, :price, :now FROM new_bookings""",
    """INSERT INTO ledger_transactions (kind, idempotency_key, fingerprint, reference_type, reference_id,
                                        description, created_at)
       SELECT 'topup', 'bookbench:topup:' || client_id, 'bulk', 'bulk', client_id, 'Bulk top-up', :now
         FROM bench_pairs""",
    """INSERT INTO ledger_transactions (kind, idempotency_key, fingerprint, reference_type, reference_id,
                                        description, created_at)
       SELECT 'hold_reserve', 'booking:' || id || '\\:hold', 'bulk', 'booking', id, 'Booked reading', :now
         FROM new_bookings""",
    """INSERT INTO ledger_entries (transaction_id, account_id, amount, balance_after, created_at)
       SELECT t.id, a.id, x.amount, x.after, :now
         FROM bench_pairs p
         JOIN ledger_transactions t ON t.idempotency_key = 'bookbench:topup:' || p.client_id
         CROSS JOIN LATERAL (VALUES ('stripe:clearing', -:balance, NULL::bigint),
                                    ('wallet:' || p.client_id, :balance, CAST(:balance AS bigint)))
                    AS x(code, amount, after)
         JOIN ledger_accounts a ON a.code = x.code""",
    """INSERT INTO ledger_entries (transaction_id, account_id, amount, balance_after, created_at)
       SELECT t.id, a.id, x.amount, x.after, :now
         FROM new_bookings b
         JOIN ledger_transactions t ON t.idempotency_key = 'booking:' || b.id || '\\:hold'
         CROSS JOIN LATERAL (VALUES ('wallet:' || b.client_id, -:price, CAST(:balance - b.nth * :price AS bigint)),
                                    ('hold:booking:' || b.id, :price, CAST(:price AS bigint)))
                    AS x(code, amount, after)
         JOIN ledger_accounts a ON a.code = x.code""",
]


def _seed_due(app, now):
    from soulseer.extensions import db

    params = {
        "n": PAIRS, "now": now, "price": PRICE, "balance": BALANCE,
        "no_show_start": now - timedelta(minutes=11), "reminded_start": now + timedelta(hours=23),
    }  # fmt: skip
    with app.app_context(), db.engine.begin() as conn:
        for statement in [*PEOPLE, BOOKINGS, *AFTER_BOOKINGS]:
            conn.execute(sa.text(statement), params)
        conn.execute(sa.text("ANALYZE"))


def _worker(now_iso, start_at, results, index):
    from datetime import datetime

    from soulseer import create_app
    from soulseer.services.bookings import attending

    app = create_app()
    now = datetime.fromisoformat(now_iso)
    with app.app_context():
        while time.time() < start_at:
            time.sleep(0.001)
        began = time.perf_counter()
        handled = attending.tick(now=now)
        results[index] = (handled, time.perf_counter() - began)


def _check(app):
    """Every no-show settled once (cancelled, all back), every due reminder sent once, the ledger holds."""
    from soulseer.extensions import db
    from soulseer.ledger import verify

    with app.app_context():
        outcomes = dict(
            db.session.execute(
                sa.text(
                    "SELECT coalesce(outcome, state), count(*) FROM bookings"
                    " WHERE client_id IN (SELECT id FROM users WHERE email LIKE 'bookbench-%') GROUP BY 1"
                )
            ).all()
        )
        sent = dict(db.session.execute(sa.text("SELECT kind, count(sent_at) FROM booking_reminders GROUP BY 1")).all())
        releases = db.session.execute(
            sa.text("SELECT count(*) FROM ledger_transactions WHERE idempotency_key LIKE 'booking:%\\:settle'")
        ).scalar()
        broken = [check.name for check in verify.run() if not check.ok]
    expected = {"reader_no_show": PAIRS, "confirmed": PAIRS}
    if outcomes != expected or sent.get("24h") != PAIRS or sent.get("15m") or releases != PAIRS or broken:
        raise RuntimeError(f"bookings tick check failed: {outcomes}, sent {sent}, {releases} releases, {broken}")


def bookings_tick_beside_pgbench(servers):
    from soulseer import clock, create_app

    # The database alone: the live server's cron runs this very tick every 5 seconds.
    servers.close()
    # A new deployment's database: the readings and bookings an earlier benchmark of the same run
    # left active would be billed by this run's ticks too (and fail its exact checks).
    prepare_database()
    app = create_app()
    now = clock.now()
    _seed_due(app, now)
    outcomes = ticks_in_processes(_worker, now, WORKERS)
    _check(app)
    handled = sum(count for count, _ in outcomes)
    tick_seconds = max(seconds for _, seconds in outcomes)
    tps = pgbench_tps(max(default_seconds(), 5))
    return Row(
        benchmark=f"bookings tick, {2 * PAIRS:,} bookings due, {WORKERS} workers ({tick_seconds:.1f} s per tick)",
        per_second=handled / tick_seconds,
        errors=2 * PAIRS - handled,
        baseline="pgbench TPC-B-like, 8 clients",
        baseline_per_second=tps,
    )
