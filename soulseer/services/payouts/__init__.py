"""Reader payouts through Stripe Connect (docs/payouts.md): the reader's connected account and its
onboarding (connect), her earnings as the ledger has them (earnings), payouts and their Transfers
(transfers), Stripe's later news about them (events), and the stand-in for Stripe that test payouts
use without Stripe keys (stand_in)."""

# Payouts still in transit this long after they were made are stuck (`flask ledger verify`).
STUCK_SQL = (
    "SELECT id, user_id, amount_cents, created_at FROM payouts "
    "WHERE status = 'pending' AND created_at < CAST(:now AS timestamptz) - interval '24 hours'"
)
# Each payout's ledger postings (keys.payout: "payout:<id>:start|paid|failed") match its status.
POSTINGS_SQL = (
    "SELECT p.id, p.status, s.id AS started, d.id AS paid, f.id AS failed FROM payouts p "
    # (a colon before a word is a bind parameter in SQLAlchemy's text(): escaped)
    "LEFT JOIN ledger_transactions s ON s.idempotency_key = 'payout:' || p.id || '\\:start' "
    "LEFT JOIN ledger_transactions d ON d.idempotency_key = 'payout:' || p.id || '\\:paid' "
    "LEFT JOIN ledger_transactions f ON f.idempotency_key = 'payout:' || p.id || '\\:failed' "
    "WHERE s.id IS NULL OR (p.status = 'paid') <> (d.id IS NOT NULL) OR (p.status = 'failed') <> (f.id IS NOT NULL)"
)
# Each reader's money in transit is exactly her pending payouts.
IN_TRANSIT_SQL = (
    "SELECT a.owner_id, a.balance_sum, COALESCE(p.pending, 0) FROM "
    "(SELECT a.owner_id, SUM(e.amount) AS balance_sum FROM ledger_accounts a "
    "JOIN ledger_entries e ON e.account_id = a.id WHERE a.kind = 'payouts_in_transit' GROUP BY a.owner_id) a "
    "LEFT JOIN (SELECT user_id, SUM(amount_cents) AS pending FROM payouts WHERE status = 'pending' "
    "GROUP BY user_id) p ON p.user_id = a.owner_id WHERE a.balance_sum <> COALESCE(p.pending, 0)"
)


def init_app(app):
    from soulseer.ledger import verify
    from soulseer.services.core import ticks
    from soulseer.services.payments import stripe_events
    from soulseer.services.payouts import connect, events, transfers

    # Connected accounts' events (the Connect webhook) and the platform's transfer events.
    stripe_events.register_handler(app, "account.updated", connect.on_account_updated)
    stripe_events.register_handler(app, "transfer.reversed", events.on_transfer_reversed)
    stripe_events.register_handler(app, "payout.failed", events.on_bank_payout_failed)
    stripe_events.register_handler(app, "payout.paid", events.on_bank_payout_paid)
    # Payouts due again, and the daily run.
    ticks.register(app, "payouts", transfers.tick)
    verify.register_check(app, "no payout is in transit longer than 24 hours", STUCK_SQL)
    verify.register_check(app, "every payout's ledger postings match its status", POSTINGS_SQL)
    verify.register_check(app, "each reader's money in transit is her pending payouts", IN_TRANSIT_SQL)
