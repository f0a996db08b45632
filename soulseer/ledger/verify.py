"""`flask ledger verify`: prove the ledger's invariants from the rows themselves."""

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app

from soulseer import clock
from soulseer.extensions import db
from soulseer.ledger import accounts

EXTENSION = "soulseer.ledger.finished_holds"
CHECKS = "soulseer.ledger.area_checks"


def register_finished_holds(app, reference_type, table, finished_states):
    """An area that holds money for its rows (readings, bookings, tickets) registers, in its
    init_app, that no hold may keep money once its row is in one of `finished_states`."""
    app.extensions.setdefault(EXTENSION, {})[reference_type] = (table, tuple(finished_states))


def register_check(app, name, sql):
    """An area adds an invariant of its own, in its init_app: `sql` selects the offending rows (none
    when it holds); `:now` is the application's clock (payouts: nothing in transit over 24 hours)."""
    app.extensions.setdefault(CHECKS, {})[name] = sql


@dataclass
class Check:
    name: str
    problems: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.problems


def _rows(sql, **params):
    return db.session.execute(sa.text(sql), params).all()


def run():
    """Every invariant, as a list of Checks (each with the offending rows, at most 20)."""
    checks = []

    def check(name, sql, **params):
        checks.append(Check(name, [tuple(r) for r in _rows(sql + " LIMIT 20", **params)]))

    check(
        "every transaction is balanced",
        "SELECT transaction_id, SUM(amount) FROM ledger_entries GROUP BY transaction_id HAVING SUM(amount) <> 0",
    )
    check(
        "every transaction has at least two entries",
        "SELECT t.id, COUNT(e.id) FROM ledger_transactions t LEFT JOIN ledger_entries e ON e.transaction_id = t.id "
        "GROUP BY t.id HAVING COUNT(e.id) < 2",
    )
    check(
        "every entry belongs to an existing account and transaction",
        "SELECT e.id, e.account_id, e.transaction_id FROM ledger_entries e "
        "LEFT JOIN ledger_accounts a ON a.id = e.account_id LEFT JOIN ledger_transactions t ON t.id = e.transaction_id "
        "WHERE a.id IS NULL OR t.id IS NULL",
    )
    check(
        "all entries sum to zero",
        "SELECT SUM(amount) FROM ledger_entries HAVING COALESCE(SUM(amount), 0) <> 0",
    )
    check(
        "every cached balance equals the sum of its entries",
        "SELECT a.id, a.code, a.balance, COALESCE(SUM(e.amount), 0) AS entries FROM ledger_accounts a "
        "LEFT JOIN ledger_entries e ON e.account_id = a.id "
        "WHERE a.kind IN ('client_wallet', 'reader_earnings', 'hold') "
        "GROUP BY a.id HAVING a.balance <> COALESCE(SUM(e.amount), 0)",
    )
    check(
        "derived accounts keep no cached balance",
        "SELECT id, code, balance FROM ledger_accounts "
        "WHERE kind NOT IN ('client_wallet', 'reader_earnings', 'hold') AND balance <> 0",
    )
    running = (
        "SELECT e.id, e.account_id, a.kind AS account_kind, t.kind AS transaction_kind, e.amount, e.balance_after, "
        "SUM(e.amount) OVER (PARTITION BY e.account_id ORDER BY e.id) AS running "
        "FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id "
        "JOIN ledger_transactions t ON t.id = e.transaction_id"
    )
    check(
        "each entry's balance_after is the running sum",
        f"SELECT id, account_id, balance_after, running FROM ({running}) r "  # noqa: S608 (constant SQL)
        "WHERE account_kind IN ('client_wallet', 'reader_earnings', 'hold') AND balance_after <> running",
    )
    check(
        "no client wallet went negative except through a refund or dispute",
        f"SELECT id, account_id, transaction_kind, running FROM ({running}) r "  # noqa: S608 (constant SQL)
        "WHERE account_kind = 'client_wallet' AND amount < 0 AND running < 0 "
        "AND transaction_kind NOT IN ('topup_refund', 'dispute')",
    )
    check(
        "reader earnings and holds never went negative",
        f"SELECT id, account_id, account_kind, running FROM ({running}) r "  # noqa: S608 (constant SQL)
        "WHERE account_kind IN ('reader_earnings', 'hold') AND running < 0",
    )
    for reference_type, (table, states) in sorted(current_app.extensions.get(EXTENSION, {}).items()):
        check(
            f"no hold keeps money for a finished or cancelled {reference_type}",
            # `table` comes from the area's own registration, never from input.
            f"SELECT a.id, a.code, a.balance FROM ledger_accounts a JOIN {table} r "  # noqa: S608
            "ON a.code = :prefix || r.id WHERE r.state = ANY(:states) AND a.balance <> 0",
            prefix=accounts.hold_code_prefix(reference_type),
            states=list(states),
        )
    check(
        "per reader, earnings + in transit + paid out = everything ever credited to her",
        "SELECT a.owner_id, "
        "SUM(e.amount) FILTER (WHERE a.kind IN ('reader_earnings', 'payouts_in_transit', 'payouts_paid')) AS held, "
        "SUM(e.amount) FILTER (WHERE a.kind = 'reader_earnings' AND t.kind NOT IN "
        "('payout', 'payout_paid', 'payout_failed', 'payout_reversal')) AS credited "
        "FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id "
        "JOIN ledger_transactions t ON t.id = e.transaction_id "
        "WHERE a.kind IN ('reader_earnings', 'payouts_in_transit', 'payouts_paid') GROUP BY a.owner_id "
        "HAVING SUM(e.amount) FILTER (WHERE a.kind IN ('reader_earnings', 'payouts_in_transit', 'payouts_paid')) "
        "<> COALESCE(SUM(e.amount) FILTER (WHERE a.kind = 'reader_earnings' AND t.kind NOT IN "
        "('payout', 'payout_paid', 'payout_failed', 'payout_reversal')), 0)",
    )
    for name, sql in sorted(current_app.extensions.get(CHECKS, {}).items()):
        check(name, sql, now=clock.now())
    return checks


def report_lines(checks):
    lines = []
    for check in checks:
        lines.append(f"{'ok  ' if check.ok else 'FAIL'}  {check.name}")
        lines += [f"        {problem}" for problem in check.problems]
    failed = sum(not c.ok for c in checks)
    lines.append(f"{len(checks) - failed} of {len(checks)} invariants hold." + (" LEDGER BROKEN." if failed else ""))
    return lines
