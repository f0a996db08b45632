"""A client's wallet as people see it: balance and the history of its ledger lines."""

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from soulseer.extensions import db
from soulseer.ledger import LedgerEntry, LedgerTransaction, TransactionKind, accounts, reads
from soulseer.money import plain_dollars
from soulseer.services.core import after_commit, events, notifications
from soulseer.services.core.data_export import export_section, iso

# History filter "what": each choice names the transaction kinds it shows.
KIND_FILTERS = {
    "topups": ("Top-ups", {TransactionKind.TOPUP}),
    "readings": (
        "Readings and bookings",
        {TransactionKind.HOLD_RESERVE, TransactionKind.HOLD_SETTLE, TransactionKind.HOLD_RELEASE},
    ),  # fmt: skip
    "purchases": ("Gifts, replies and shop", {TransactionKind.PURCHASE}),
    "refunds": (
        "Refunds and corrections",
        {
            TransactionKind.REFUND,
            TransactionKind.TOPUP_REFUND,
            TransactionKind.DISPUTE,
            TransactionKind.DISPUTE_REVERSAL,
            TransactionKind.ADJUSTMENT,
        },
    ),  # fmt: skip
}
DIRECTIONS = {"in": "Money in", "out": "Money out"}
PER_PAGE = 20


@dataclass(frozen=True)
class HistoryFilter:
    kind: str = ""
    direction: str = ""
    date_from: datetime | None = None
    date_to: datetime | None = None

    @classmethod
    def from_args(cls, args):
        """Read filters from query arguments; anything unknown or malformed is ignored."""

        def day(name):
            try:
                return datetime.fromisoformat(args.get(name, "")).date()
            except ValueError:
                return None

        start, end = day("from"), day("to")
        return cls(
            kind=args.get("kind", "") if args.get("kind") in KIND_FILTERS else "",
            direction=args.get("direction", "") if args.get("direction") in DIRECTIONS else "",
            date_from=datetime.combine(start, time.min, tzinfo=UTC) if start else None,
            date_to=datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC) if end else None,
        )

    def as_args(self):
        args = {"kind": self.kind, "direction": self.direction}
        if self.date_from:
            args["from"] = self.date_from.date().isoformat()
        if self.date_to:
            args["to"] = (self.date_to - timedelta(days=1)).date().isoformat()
        return {k: v for k, v in args.items() if v}


def balance(user):
    """The wallet's balance in cents (0 before it ever held money): one column, no account row
    loaded, as every signed-in client's page asks for it in the header."""
    return reads.balance(accounts.wallet_spec(user))


# The header's balance in every open tab (base.html: a `sse-swap="balance"` slot).
BALANCE_EVENT = "balance"


def announce_balance(user, news=None):
    """Once the caller's transaction commits, show the client's balance in the header of every tab
    they have open (a top-up credited, a refund or dispute taken back, an admin's adjustment).
    With `news`, the client is also told why, in their notifications, with a link to the wallet."""
    user_id = user if isinstance(user, int) else user.id
    after_commit.run_batched(push_balances, user_id)
    if news:
        notifications.notify(user_id, "system", news, "/wallet")


def push_balances(user_ids):
    """Each client's balance to their open tabs (after a commit): one query for every balance,
    each badge rendered once per amount, one round trip to Redis. Nothing for those with no page
    open (events.with_open_tabs): the page they open next reads the balance afresh."""
    from flask import render_template

    specs = {user_id: accounts.wallet_spec(user_id) for user_id in events.with_open_tabs(user_ids)}
    if not specs:
        return
    with events.isolated_context():
        cached = reads.balances(specs.values())
        balances = {user_id: cached[spec[0]] for user_id, spec in specs.items()}
        badges = {
            cents: render_template("partials/_balance_badge.html", header_balance=cents)
            for cents in set(balances.values())
        }
    events.publish_many([(user_id, BALANCE_EVENT, badges[cents]) for user_id, cents in balances.items()])


def is_frozen(user):
    wallet = accounts.find_wallet(user)
    return bool(wallet and wallet.frozen)


def _wallet_id(user):
    wallet = accounts.find_wallet(user)
    return wallet.id if wallet else -1


def _lines_query(user, history_filter, by_direction=True):
    return _lines_select(
        history_filter, by_direction, _wallet_id(user), history_filter.date_from, history_filter.date_to
    )


def _lines_select(history_filter, by_direction, wallet_id, date_from, date_to):
    """The wallet's lines under the filter's kind (and direction, when `by_direction`); the wallet
    and the dates are values or bound parameters (`_net_statement`)."""
    query = (
        sa.select(
            LedgerEntry.id,
            LedgerEntry.created_at,
            LedgerEntry.amount,
            LedgerEntry.balance_after,
            LedgerTransaction.kind,
            LedgerTransaction.description,
            LedgerTransaction.reference_type,
            LedgerTransaction.reference_id,
        )
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(LedgerEntry.account_id == wallet_id)
        .order_by(LedgerEntry.id.desc())
    )
    if history_filter.kind:
        query = query.where(LedgerTransaction.kind.in_(KIND_FILTERS[history_filter.kind][1]))
    if by_direction and history_filter.direction == "in":
        query = query.where(LedgerEntry.amount > 0)
    elif by_direction and history_filter.direction == "out":
        query = query.where(LedgerEntry.amount < 0)
    if history_filter.date_from:
        query = query.where(LedgerEntry.created_at >= date_from)
    if history_filter.date_to:
        query = query.where(LedgerEntry.created_at < date_to)
    return query


@dataclass(frozen=True)
class NetLine:
    """A line of the wallet's history as the client reads it: one per reading (its minute
    reservations and its release, net: what the reading cost, or has reserved so far while it
    runs), one per other entry. `entries` are the ledger lines under it (a reading's), oldest first."""

    created_at: datetime
    description: str
    kind: str
    amount: int
    balance_after: int
    entries: tuple = ()


def _reading_texts(reading_ids):
    """'Reading with Luna Starweaver · 0:25' (or '· in progress') for each reading id."""
    from soulseer.models import ReaderProfile, Reading, User
    from soulseer.services.readings import history

    if not reading_ids:
        return {}
    rows = db.session.execute(
        sa.select(Reading, sa.func.coalesce(ReaderProfile.display_name, User.display_name))
        .join(User, User.id == Reading.reader_id)
        .outerjoin(ReaderProfile, ReaderProfile.user_id == Reading.reader_id)
        .where(Reading.id.in_(reading_ids))
    ).all()
    return {
        reading.id: f"Reading with {name} · "
        + (history.duration(reading.metered_seconds) if reading.state in ("ended", "finalized") else "in progress")
        for reading, name in rows
    }


def _net_lines(user, history_filter, statement, parameters):
    rows = db.session.execute(statement, parameters).all()
    reading_ids = [row.cause_id for row in rows if row.cause_type == "reading"]
    texts = _reading_texts(reading_ids)
    entries = {}
    if reading_ids:
        detail = _lines_query(user, HistoryFilter(), by_direction=False).where(
            LedgerTransaction.reference_type == "reading", LedgerTransaction.reference_id.in_(reading_ids)
        )
        for entry in db.session.execute(detail.order_by(None).order_by(LedgerEntry.id)).all():
            entries.setdefault(entry.reference_id, []).append(entry)
    lines = []
    for row in rows:
        reading = row.cause_type == "reading"
        lines.append(
            NetLine(
                created_at=row.created_at,
                description=texts.get(row.cause_id, row.description) if reading else row.description,
                kind="reading" if reading else row.kind,
                amount=int(row.net),
                balance_after=row.balance_after,
                entries=tuple(entries.get(row.cause_id, ())) if reading else (),
            )
        )
    return lines


_net_statements = {}


def _net_statement(history_filter, paged=False):
    """The history's statement (one line per reading) for the filter's shape (its kind, its
    direction, which dates it has: a bounded set), built once per process with the wallet, the
    dates and, when `paged`, the page's limit and offset as bound parameters (`_parameters`).
    Building the window-function query and its cache key on every request was a quarter of the
    wallet page's CPU (docs/benchmarks.md, "Signed-in pages")."""
    shape = (
        history_filter.kind,
        history_filter.direction,
        bool(history_filter.date_from),
        bool(history_filter.date_to),
    )
    statement = _net_statements.get((shape, paged))
    if statement is None:
        dates = (
            sa.bindparam("date_from", type_=LedgerEntry.created_at.type),
            sa.bindparam("date_to", type_=LedgerEntry.created_at.type),
        )
        lines = _lines_select(history_filter, False, sa.bindparam("wallet_id", type_=sa.Integer), *dates)
        statement = reads.net_lines(lines, direction=history_filter.direction)
        if paged:
            statement = statement.limit(sa.bindparam("limit", type_=sa.Integer)).offset(
                sa.bindparam("offset", type_=sa.Integer)
            )
        _net_statements[(shape, paged)] = statement
    return statement


def _parameters(user, history_filter, page=None):
    parameters = {
        "wallet_id": _wallet_id(user),
        "date_from": history_filter.date_from,
        "date_to": history_filter.date_to,
    }
    if page is not None:
        parameters.update(limit=PER_PAGE + 1, offset=(max(page, 1) - 1) * PER_PAGE)
    return parameters


def history_page(user, history_filter, page):
    """One page of the wallet's history, newest first, one line per reading: (lines, has_next)."""
    statement = _net_statement(history_filter, paged=True)
    lines = _net_lines(user, history_filter, statement, _parameters(user, history_filter, page))
    return lines[:PER_PAGE], len(lines) > PER_PAGE


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(text):
    """Text for a CSV cell that a spreadsheet shows as text: a leading ' when it could be read as
    a formula. Descriptions may one day carry what people typed (a gift's note, an item's name)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def history_csv(user, history_filter, detail=False):
    """The history matching the filter, as CSV text (amounts in dollars with two decimals;
    descriptions never read as formulas): one line per reading as the page shows it, or with
    `detail` every ledger line (each minute reserved, each release)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["time (UTC)", "description", "kind", "amount", "balance after"])
    if detail:
        rows = db.session.execute(_lines_query(user, history_filter)).yield_per(500)
    else:
        rows = _net_lines(user, history_filter, _net_statement(history_filter), _parameters(user, history_filter))
    for row in rows:
        writer.writerow(
            [
                row.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
                spreadsheet_text(row.description),
                row.kind,
                plain_dollars(row.amount),
                plain_dollars(row.balance_after),
            ]
        )
    return out.getvalue()


@export_section("wallet")
def _export(user):
    """The wallet's balance, every ledger line and every top-up, for "export my data"."""
    from soulseer.models import Topup

    lines = db.session.execute(_lines_query(user, HistoryFilter()).order_by(None).order_by(LedgerEntry.id)).all()
    topups = db.session.execute(sa.select(Topup).filter_by(user_id=user.id).order_by(Topup.id)).scalars()
    return {
        "balance_cents": balance(user),
        "lines": [
            {
                "at": iso(line.created_at),
                "description": line.description,
                "kind": line.kind,
                "amount_cents": line.amount,
                "balance_after_cents": line.balance_after,
            }
            for line in lines
        ],
        "topups": [
            {"amount_cents": t.amount_cents, "status": t.status, "created_at": iso(t.created_at)} for t in topups
        ],
    }
