"""Reading the ledger: balances, an account's lines, what a sale or a cause moved, figures over a
period. The one place that queries ledger rows (posting.py is the one place that writes them).
Windows are half-open, [start, end), on the time each line was posted (`ledger_entries.created_at`)."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from soulseer.extensions import db
from soulseer.ledger.accounts import wallet_code_clause
from soulseer.ledger.models import AccountKind, LedgerAccount, LedgerEntry, LedgerTransaction, TransactionKind
from soulseer.models.base import one_of

# The transactions in which a client pays for something: straight from the wallet, or from a hold.
SALE_KINDS = (TransactionKind.PURCHASE, TransactionKind.HOLD_SETTLE)


def balance(spec):
    """The cached balance of a tracked account by spec (0 when it does not exist yet), no row made:
    one column, as every signed-in client's page asks for the wallet's in the header."""
    return db.session.execute(sa.select(balance_clause(spec[0]))).scalar_one()


def balances(specs):
    """{code: cached balance} of tracked accounts by spec, in one query (0 for one not made yet)."""
    codes = [spec[0] for spec in specs]
    found = dict(
        db.session.execute(
            sa.select(LedgerAccount.code, LedgerAccount.balance).where(one_of(LedgerAccount.code, codes))
        ).all()
    )
    return {code: found.get(code, 0) for code in codes}


def balance_clause(code):
    """`balance` of the account with `code` (a value or a bound parameter) as SQL, for a statement
    that reads it beside other things (the signed-in header reads the wallet's with the user:
    soulseer/signed_in.py)."""
    found = sa.select(LedgerAccount.balance).where(LedgerAccount.code == code).scalar_subquery()
    return sa.func.coalesce(found, 0)


def wallet_balance_clause(owner_id):
    """`balance_clause` of the wallet of `owner_id`, a column of the statement (a heartbeat reads the
    reading's client's with the reading: soulseer/quick_heartbeats.py)."""
    return balance_clause(wallet_code_clause(owner_id))


def account_balance(account):
    """Any account's balance: the cached one for tracked kinds, the sum of entries otherwise."""
    if account.tracked:
        return db.session.execute(sa.select(LedgerAccount.balance).filter_by(id=account.id)).scalar_one()
    return int(
        db.session.execute(
            sa.select(sa.func.coalesce(sa.func.sum(LedgerEntry.amount), 0)).filter_by(account_id=account.id)
        ).scalar_one()
    )


def posted(key):
    """The id of the transaction posted with idempotency key `key`, or None."""
    return db.session.execute(sa.select(LedgerTransaction.id).filter_by(idempotency_key=key)).scalar_one_or_none()


def _of_reference(statement, reference):
    reference_type, reference_id = reference
    return statement.where(
        LedgerTransaction.reference_type == reference_type, LedgerTransaction.reference_id == reference_id
    )


def lines_for_reference(reference):
    """Every ledger entry of the transactions referencing `reference` (type, id), with their
    transactions and accounts, in posting order."""
    statement = (
        sa.select(LedgerEntry)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .options(joinedload(LedgerEntry.transaction), joinedload(LedgerEntry.account))
        .order_by(LedgerTransaction.id, LedgerEntry.id)
    )
    return list(db.session.execute(_of_reference(statement, reference)).scalars())


def moved(spec, reference, kinds, key=None):
    """The signed sum of the entries on account `spec` of transactions of `kinds` referencing
    `reference` (only the one with idempotency key `key`, when given)."""
    statement = (
        sa.select(sa.func.coalesce(sa.func.sum(LedgerEntry.amount), 0))
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .where(LedgerAccount.code == spec[0], LedgerTransaction.kind.in_([str(kind) for kind in kinds]))
    )
    if key is not None:
        statement = statement.where(LedgerTransaction.idempotency_key == key)
    return int(db.session.execute(_of_reference(statement, reference)).scalar_one())  # SUM(BIGINT) is NUMERIC


@dataclass(frozen=True)
class SaleTotals:
    """What a client paid for one thing (`reference`) and who got it."""

    client_id: int | None
    paid: int  # what the client was charged (reader's part + platform's part)
    to_reader: int
    reader_id: int | None
    by_card: bool = False  # paid by card (a shop order through Checkout): no wallet paid it


def sale(reference):
    """The totals of the sale `reference`, from its purchase or settlement postings."""
    rows = db.session.execute(
        _of_reference(
            sa.select(LedgerAccount.kind, LedgerAccount.owner_id, LedgerEntry.amount)
            .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
            .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
            .where(LedgerTransaction.kind.in_([str(kind) for kind in SALE_KINDS])),
            reference,
        )
    ).all()
    client_id = reader_id = None
    paid = to_reader = 0
    by_card = False
    for kind, owner_id, amount in rows:
        if kind in (AccountKind.CLIENT_WALLET, AccountKind.HOLD) and amount < 0:
            client_id = owner_id  # the money came out of this client's wallet or hold
        elif kind == AccountKind.STRIPE_CLEARING and amount < 0:
            by_card = True  # the money came in from a card, straight into the sale
        elif kind == AccountKind.READER_EARNINGS:
            paid, to_reader, reader_id = paid + amount, to_reader + amount, owner_id
        elif kind == AccountKind.PLATFORM_REVENUE:
            paid += amount
    return SaleTotals(client_id, paid, to_reader, reader_id, by_card)


def _refunds_to_clients():
    """The sum of what refunds gave back to clients — to their wallets, or to their cards through
    stripe clearing (a card-paid shop order) — narrowed by the caller."""
    return (
        sa.select(sa.func.coalesce(sa.func.sum(sa.func.greatest(LedgerEntry.amount, 0)), 0))
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .where(
            LedgerTransaction.kind == TransactionKind.REFUND,
            LedgerAccount.kind.in_([AccountKind.CLIENT_WALLET, AccountKind.STRIPE_CLEARING]),
        )
    )


def refunded(reference):
    """What has gone back to the client for the sale `reference`: the wallet (or card) legs of its
    refunds."""
    return int(db.session.scalar(_of_reference(_refunds_to_clients(), reference)))


def refunded_column(reference_type, reference_id):
    """`refunded` as SQL, for a sale whose id is a column of the caller's query (correlated with
    that query alone, never with ledger tables of a query around it)."""
    statement = _of_reference(_refunds_to_clients(), (reference_type, reference_id))
    return statement.correlate_except(LedgerEntry, LedgerTransaction, LedgerAccount).scalar_subquery()


# Figures over a period (the admin overview) ------------------------------------------------

# The postings in which a client pays for something (a reading's settlement, a purchase) or gets
# it back (a refund): their lines on platform revenue and reader earnings add up to what the
# client paid, net of what was refunded. Payouts also touch reader earnings, so the transaction's
# kind is what tells a sale from a payout.
SALES_AND_REFUNDS = (*SALE_KINDS, TransactionKind.REFUND)
SALE_ACCOUNT_KINDS = (AccountKind.PLATFORM_REVENUE, AccountKind.READER_EARNINGS)


def moved_for_type(spec, reference_type):
    """The signed sum of the entries on account `spec` of every transaction referencing a thing of
    `reference_type` (a reader's net earnings from paid replies: sales less refunds)."""
    return int(
        db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(LedgerEntry.amount), 0))
            .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
            .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
            .where(LedgerAccount.code == spec[0], LedgerTransaction.reference_type == reference_type)
        )
    )


def refunded_for(reference_type, reference_ids):
    """What has gone back to clients for the sales of these things (`reference_ids`: a list or a
    subquery of ids): the wallet (or card) legs of their refunds, as `refunded` for one."""
    return int(
        db.session.scalar(
            _refunds_to_clients().where(
                LedgerTransaction.reference_type == reference_type, LedgerTransaction.reference_id.in_(reference_ids)
            )
        )
    )


def _in_window(start, end):
    return sa.and_(LedgerEntry.created_at >= start, LedgerEntry.created_at < end)


def net_change(spec, start, end):
    """How much the account named by `spec` moved between `start` and `end` (0 if it does not exist)."""
    return db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(LedgerEntry.amount), 0))
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .where(LedgerAccount.code == spec[0], _in_window(start, end))
    ).scalar_one()


def gross_sales(start, end):
    """What clients paid for readings and other sales between `start` and `end`, net of refunds:
    the reader's and the platform's shares together."""
    return db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(LedgerEntry.amount), 0))
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(
            LedgerAccount.kind.in_(SALE_ACCOUNT_KINDS),
            LedgerTransaction.kind.in_(SALES_AND_REFUNDS),
            _in_window(start, end),
        )
    ).scalar_one()


# An account's lines, net per cause (the client's wallet) ------------------------------------


def net_lines(lines, grouped=("reading",), direction=""):
    """`lines` (a select of one account's entries with their transaction's columns: id, created_at,
    amount, balance_after, kind, description, reference_type, reference_id) merged into one line
    per cause of a `grouped` reference type (a reading's minute reservations and its release), each
    other entry a line of its own. A merged line is its cause's last entry, with `net` (the sum of
    the cause's entries), `entries` (how many) and `cause_type`/`cause_id`; an entry alone has its
    own amount as `net`. Newest first. `direction` "in"/"out" keeps lines whose net is positive or
    negative. The ledger itself is untouched: this is a view over its lines."""
    sub = lines.order_by(None).subquery()
    merged = sub.c.reference_type.in_(grouped) & sub.c.reference_id.isnot(None)
    cause = sa.case(
        (merged, sub.c.reference_type + ":" + sa.cast(sub.c.reference_id, sa.String)),
        else_="entry:" + sa.cast(sub.c.id, sa.String),
    )
    window = {"partition_by": cause}
    ranked = sa.select(
        sub,
        sa.func.max(sub.c.id).over(**window).label("last_id"),
        sa.func.sum(sub.c.amount).over(**window).label("net"),
        sa.func.count().over(**window).label("entries"),
        sa.case((merged, sub.c.reference_type), else_=None).label("cause_type"),
        sa.case((merged, sub.c.reference_id), else_=None).label("cause_id"),
    ).subquery()
    statement = sa.select(ranked).where(ranked.c.id == ranked.c.last_id).order_by(ranked.c.id.desc())
    if direction == "in":
        statement = statement.where(ranked.c.net > 0)
    elif direction == "out":
        statement = statement.where(ranked.c.net < 0)
    return statement


# One account's entries, narrowed (a reader's earnings: what cleared, what a report holds) ------


def _entries_where(spec, kinds=None, after=None, up_to=None, references=None):
    """`references`: [(reference type, ids)], the entries of transactions referencing any of them
    (`ids` a list, or a select: it may correlate with `LedgerAccount`, each account's own)."""
    conditions = [LedgerAccount.code == spec[0]] if spec is not None else []
    if kinds is not None:
        conditions.append(LedgerTransaction.kind.in_([str(kind) for kind in kinds]))
    if after is not None:
        conditions.append(LedgerEntry.created_at > after)
    if up_to is not None:
        conditions.append(LedgerEntry.created_at <= up_to)
    if references is not None:
        conditions.append(
            sa.or_(
                sa.false(),
                *(
                    sa.and_(LedgerTransaction.reference_type == kind, LedgerTransaction.reference_id.in_(ids))
                    for kind, ids in references
                ),
            )
        )
    return conditions


def _entries_from(*columns):
    return (
        sa.select(*columns)
        .select_from(LedgerEntry)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
    )


def entries_total(spec, **criteria):
    """(sum, count) of the entries on account `spec` that match `criteria` (kinds, posted
    after / up to a time, references): the figure and how many lines are behind it."""
    total, count = db.session.execute(
        _entries_from(sa.func.coalesce(sa.func.sum(LedgerEntry.amount), 0), sa.func.count(LedgerEntry.id)).where(
            *_entries_where(spec, **criteria)
        )
    ).one()
    return int(total), count


def entries_totals(specs, **criteria):
    """entries_total for many accounts in one statement: {code: (sum, count)}, (0, 0) for an account
    with no matching entry. `references` may hold subqueries correlated with `LedgerAccount` (each
    account's own references: a reader's reported readings)."""
    codes = [spec[0] for spec in specs]
    rows = db.session.execute(
        _entries_from(LedgerAccount.code, sa.func.sum(LedgerEntry.amount), sa.func.count(LedgerEntry.id))
        .where(one_of(LedgerAccount.code, codes), *_entries_where(None, **criteria))
        .group_by(LedgerAccount.code)
    ).all()
    found = {code: (int(total), count) for code, total, count in rows}
    return {code: found.get(code, (0, 0)) for code in codes}


def entries(spec, limit=50, **criteria):
    """The newest `limit` entries on account `spec` matching `criteria` (as entries_total), each with
    its transaction's kind, description and reference."""
    return db.session.execute(
        _entries_from(
            LedgerEntry.id,
            LedgerEntry.created_at,
            LedgerEntry.amount,
            LedgerTransaction.kind,
            LedgerTransaction.description,
            LedgerTransaction.reference_type,
            LedgerTransaction.reference_id,
        )
        .where(*_entries_where(spec, **criteria))
        .order_by(LedgerEntry.id.desc())
        .limit(limit)
    ).all()
