"""Many active readings at once, made in bulk SQL so a test of hundreds takes a second, not a
minute (the Session driver commits a few times per reading).

Each reading is what the Session driver leaves after `accept()` and `join_both()`: active, the
meter started at `started`, both sides last seen at `seen`, minute 1 reserved. The ledger holds
what the real postings would have written, so `flask ledger verify` passes: a top-up of `balance`
into the client's wallet, then minute 1 (`rate`) moved from the wallet into the reading's hold
under the key `reading:<id>:minute:1`, each line with its balance after.
"""

import sqlalchemy as sa

from soulseer.extensions import db

PEOPLE_AND_READINGS = """
WITH clients AS (
    INSERT INTO users (email, display_name, role, status, created_at)
    SELECT 'bulk-client-' || g || '@example.test', 'Bulk client ' || g, 'client', 'active', :seen
      FROM generate_series(1, :n) g RETURNING id, email
), readers AS (
    INSERT INTO users (email, display_name, role, status, created_at)
    SELECT 'bulk-reader-' || g || '@example.test', 'Bulk reader ' || g, 'reader', 'active', :seen
      FROM generate_series(1, :n) g RETURNING id, email
), pairs AS (
    SELECT c.id AS client_id, r.id AS reader_id
      FROM clients c JOIN readers r ON split_part(c.email, '-', 3) = split_part(r.email, '-', 3)
)
INSERT INTO readings (client_id, reader_id, mode, rate_cents, share_bps, state, requested_at,
                      request_expires_at, accepted_at, started_at, client_seen_at, reader_seen_at,
                      client_connected, reader_connected, metered_ms, meter_started_at,
                      minutes_reserved)
SELECT client_id, reader_id, 'chat', :rate, 7000, 'active', :started, :started, :started, :started,
       :seen, :seen, true, true, 0, :started, 1
  FROM pairs
"""

LEDGER = [
    # Stripe clearing is derived (its balance is the sum of its lines, the column stays 0).
    """INSERT INTO ledger_accounts (code, kind, balance, created_at)
       VALUES ('stripe:clearing', 'stripe_clearing', 0, :seen) ON CONFLICT (code) DO NOTHING""",
    """INSERT INTO ledger_accounts (code, kind, owner_id, balance, created_at)
       SELECT 'wallet:' || client_id, 'client_wallet', client_id, :balance - :rate, :seen FROM new_readings""",
    """INSERT INTO ledger_accounts (code, kind, owner_id, balance, created_at)
       SELECT 'hold:reading:' || id, 'hold', client_id, :rate, :seen FROM new_readings""",
    """INSERT INTO ledger_transactions (kind, idempotency_key, fingerprint, reference_type, reference_id,
                                        description, created_at)
       SELECT 'topup', 'bulk:topup:' || client_id, 'bulk', 'bulk', client_id, 'Bulk top-up', :seen
         FROM new_readings""",
    """INSERT INTO ledger_transactions (kind, idempotency_key, fingerprint, reference_type, reference_id,
                                        description, created_at)
       SELECT 'hold_reserve', 'reading:' || id || ':minute:1', 'bulk', 'reading', id,
              'Reading minute 1 reserved', :seen
         FROM new_readings""",
    """INSERT INTO ledger_entries (transaction_id, account_id, amount, balance_after, created_at)
       SELECT t.id, a.id, x.amount, x.after, :seen
         FROM new_readings r
         JOIN ledger_transactions t ON t.idempotency_key = 'bulk:topup:' || r.client_id
         CROSS JOIN LATERAL (VALUES ('stripe:clearing', -:balance, NULL::bigint),
                                    ('wallet:' || r.client_id, :balance, CAST(:balance AS bigint)))
                    AS x(code, amount, after)
         JOIN ledger_accounts a ON a.code = x.code""",
    """INSERT INTO ledger_entries (transaction_id, account_id, amount, balance_after, created_at)
       SELECT t.id, a.id, x.amount, x.after, :seen
         FROM new_readings r
         JOIN ledger_transactions t ON t.idempotency_key = 'reading:' || r.id || ':minute:1'
         CROSS JOIN LATERAL (VALUES ('wallet:' || r.client_id, -:rate, CAST(:balance - :rate AS bigint)),
                                    ('hold:reading:' || r.id, :rate, CAST(:rate AS bigint)))
                    AS x(code, amount, after)
         JOIN ledger_accounts a ON a.code = x.code""",
]


def active_readings(n, *, rate, balance, started, seen, prefix="bulk"):
    """Create `n` active readings and their people (emails `<prefix>-client-<n>@...`, so a second
    set needs another prefix) and return their ids."""
    if not prefix.isalnum():
        raise ValueError(f"a prefix of letters and digits, not {prefix!r}")
    params = {"n": n, "rate": rate, "balance": balance, "started": started, "seen": seen}
    with db.engine.begin() as conn:
        after = conn.execute(sa.text("SELECT coalesce(max(id), 0) FROM readings")).scalar()
        conn.execute(sa.text(PEOPLE_AND_READINGS.replace("'bulk-", f"'{prefix}-")), params)
        # The ledger's lines for these readings only (the table may hold others already).
        conn.execute(
            sa.text("CREATE TEMPORARY TABLE new_readings ON COMMIT DROP AS SELECT * FROM readings WHERE id > :after"),
            {"after": after},
        )
        for statement in LEDGER:
            conn.execute(sa.text(statement), params)
        conn.execute(sa.text("ANALYZE readings"))
        return list(conn.execute(sa.text("SELECT id FROM new_readings ORDER BY id")).scalars())
