"""Posting: the one way money moves. Nothing else in the code base writes ledger rows.

A posting is part of the caller's transaction (the caller commits). Nothing is written until
every check has passed, so a refused posting (no funds, frozen wallet) leaves the caller free to
record what happened and commit. A posting names its accounts by code (`accounts.wallet_spec(user)`
and friends) and runs inside the database, in ledger_post_batch() (migrations 0012 and 0013), so
any number of postings cost one round trip:

0. Find the accounts by code, creating any that are missing (ledger_account_ids()).
1. Lock the tracked accounts the postings touch, in id order (no deadlock between overlapping
   postings); derived accounts (platform revenue, Stripe clearing, payouts) are never locked.
2. If the idempotency key was posted already, return that result: a retry moves nothing twice.
   The same key with different contents is an error.
3. Check limits: a client wallet may not go below zero through spending, a frozen wallet may not
   spend, reader earnings and holds never go below zero.
4. Insert the transaction row (ON CONFLICT on the key: a concurrent posting with the same key
   over other accounts wins, and its result is returned).
5. Insert the entries with each tracked account's balance after; update the cached balances in
   one statement.
"""

import hashlib
import json
from collections import namedtuple
from dataclasses import dataclass

from soulseer import clock
from soulseer.extensions import db
from soulseer.ledger.models import AccountKind, LedgerAccount, LedgerTransaction, TransactionKind


class LedgerError(Exception):
    """A posting that cannot happen; nothing was written."""


class Unbalanced(LedgerError):
    pass


class InsufficientFunds(LedgerError):
    def __init__(self, account_id, balance, needed):
        super().__init__(f"account {account_id} has {balance} cents, needs {needed}")
        self.account_id = account_id
        self.balance = balance
        self.needed = needed


class WalletFrozen(LedgerError):
    pass


class IdempotencyConflict(LedgerError):
    """The key was used before for a posting with different contents."""


# Transaction kinds that may take a client wallet below zero: money taken back by Stripe
# (refund, dispute) is debited even when the client has already spent it.
MAY_OVERDRAW_WALLET = frozenset({TransactionKind.TOPUP_REFUND, TransactionKind.DISPUTE})
# Kinds that still work on a frozen wallet (money coming back in, or going back to Stripe).
ALLOWED_WHEN_FROZEN = frozenset(
    {
        TransactionKind.TOPUP,
        TransactionKind.TOPUP_REFUND,
        TransactionKind.DISPUTE,
        TransactionKind.DISPUTE_REVERSAL,
        TransactionKind.ADJUSTMENT,
        TransactionKind.HOLD_RELEASE,
        TransactionKind.HOLD_SETTLE,
        TransactionKind.REFUND,
    }
)


@dataclass(frozen=True)
class Posted:
    transaction_id: int
    created: bool  # False when the idempotency key had already been posted

    @property
    def transaction(self):
        return db.session.get(LedgerTransaction, self.transaction_id)


@dataclass(frozen=True)
class Posting:
    """One balanced transaction to post: `legs` is [(account spec or LedgerAccount, signed cents)]."""

    kind: TransactionKind
    idempotency_key: str
    legs: list
    description: str
    reference: tuple | None = None
    actor: object = None


def _fingerprint(kind, legs, reference):
    canonical = json.dumps(
        {"kind": str(kind), "legs": sorted(legs), "reference": list(reference or (None, None))}, sort_keys=True
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _spec(account):
    """(code, kind, owner id) of an account spec (accounts.wallet_spec() and friends) or a LedgerAccount."""
    if isinstance(account, tuple):
        return account
    if isinstance(account, LedgerAccount):
        return (account.code, account.kind, account.owner_id)
    raise LedgerError(f"a leg names its account by spec or LedgerAccount, got {account!r}")


def _combine(legs):
    """Sum the amounts per account and drop zero legs: [((code, kind, owner id), amount), ...] by code."""
    totals, specs = {}, {}
    for account, amount in legs:
        if not isinstance(amount, int) or isinstance(amount, bool):
            raise LedgerError(f"amounts are integer cents, got {amount!r}")
        spec = _spec(account)
        specs[spec[0]] = spec
        totals[spec[0]] = totals.get(spec[0], 0) + amount
    return [(specs[code], amount) for code, amount in sorted(totals.items()) if amount != 0]


# Run on the DBAPI cursor of the session's connection (psycopg placeholders): the posting is
# part of the caller's transaction, and skips SQLAlchemy's execution layers on the hottest path.
_POST_BATCH = (
    "SELECT n, transaction_id, status, detail FROM ledger_post_batch("
    "%(kinds)s::text[], %(keys)s::text[], %(fingerprints)s::text[], %(reference_types)s::text[], "
    "%(reference_ids)s::bigint[], %(descriptions)s::text[], %(actor_ids)s::integer[], "
    "%(may_overdraw)s::boolean[], %(when_frozen)s::boolean[], %(leg_ends)s::integer[], %(codes)s::text[], "
    "%(account_kinds)s::text[], %(owners)s::integer[], %(amounts)s::bigint[], %(at)s) ORDER BY n"
)
_Row = namedtuple("_Row", "n transaction_id status detail")


def _arguments(postings):
    """The batch as the parallel arrays ledger_post_batch() takes; checks each posting first."""
    args = {
        name: []
        for name in (
            "kinds", "keys", "fingerprints", "reference_types", "reference_ids", "descriptions", "actor_ids",
            "may_overdraw", "when_frozen", "leg_ends", "codes", "account_kinds", "owners", "amounts",
        )
    }  # fmt: skip
    for posting in postings:
        kind = TransactionKind(posting.kind)
        combined = _combine(posting.legs)
        if not combined:
            raise LedgerError("a transaction must move money")
        if sum(amount for _, amount in combined) != 0:
            raise Unbalanced(f"entries sum to {sum(a for _, a in combined)}, not zero")
        reference_type, reference_id = posting.reference or (None, None)
        args["kinds"].append(kind.value)
        args["keys"].append(posting.idempotency_key)
        args["fingerprints"].append(
            _fingerprint(kind, [(spec[0], amount) for spec, amount in combined], posting.reference)
        )
        args["reference_types"].append(reference_type)
        args["reference_ids"].append(reference_id)
        args["descriptions"].append(posting.description[:200])
        args["actor_ids"].append(posting.actor.id if posting.actor else None)
        args["may_overdraw"].append(kind in MAY_OVERDRAW_WALLET)
        args["when_frozen"].append(kind in ALLOWED_WHEN_FROZEN)
        for (code, account_kind, owner_id), amount in combined:
            args["codes"].append(code)
            args["account_kinds"].append(str(account_kind))
            args["owners"].append(owner_id)
            args["amounts"].append(amount)
        args["leg_ends"].append(len(args["codes"]))
    return {name: array_literal(values) for name, values in args.items()}


def array_literal(values):
    """A PostgreSQL array literal ('{"a","b",NULL}') for a list of str, int, bool or None.

    One text parameter per array instead of a Python list: psycopg inspects every list it adapts,
    which cost more than the posting's own Python work. Every element is double-quoted, so only
    backslash and double quote need escaping (PostgreSQL manual, "Array Value Input"); None is
    NULL. The server parses it with the element type's input function, as for any literal.
    """
    parts = []
    for value in values:
        if value is None:
            parts.append("NULL")
        else:
            text = str(value).lower() if isinstance(value, bool) else str(value)
            parts.append('"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return "{" + ",".join(parts) + "}"


def _outcome(posting, row):
    """Posted, or the LedgerError saying why the posting was refused (nothing written for it)."""
    if row.status == "created":
        return Posted(row.transaction_id, created=True)
    if row.status == "existing":
        return Posted(row.transaction_id, created=False)
    if row.status == "conflict":
        return IdempotencyConflict(f"key {posting.idempotency_key!r} was posted with other contents")
    if row.status == "frozen":
        return WalletFrozen("this wallet is frozen until an admin reviews a disputed payment")
    account_id, balance, needed = (int(part) for part in row.detail.split(":"))
    return InsufficientFunds(account_id, balance, needed)


def post_many(postings):
    """Post several transactions in one round trip, in order. Returns, per posting, Posted or the
    LedgerError that refused it (returned, not raised: the others still post). A malformed posting
    (unbalanced, not integer cents) raises before anything is sent."""
    postings = list(postings)
    if not postings:
        return []
    _wallets_moved(postings)
    cursor = db.session.connection().connection.driver_connection.cursor()
    with cursor:
        cursor.execute(_POST_BATCH, {**_arguments(postings), "at": clock.now()})
        rows = [_Row(*row) for row in cursor.fetchall()]
    return [_outcome(posting, row) for posting, row in zip(postings, rows, strict=True)]


def _wallets_moved(postings):
    """The clients whose wallet these postings move see a new balance in their header once the
    transaction commits: their header versions move then (services/core/header_versions.py)."""
    from soulseer.services.core import header_versions

    owners = {
        spec[2]
        for posting in postings
        for account, _ in posting.legs
        if (spec := _spec(account))[1] == AccountKind.CLIENT_WALLET
    }
    if owners:
        header_versions.changed(owners, db.session())


def post(kind, idempotency_key, legs, *, description, reference=None, actor=None):
    """Post one balanced transaction. `legs` is [(account spec or LedgerAccount, signed cents), ...].

    Returns Posted(transaction_id, created). Raises LedgerError subclasses with nothing written,
    and the caller's transaction still usable (only row locks were taken).
    """
    return post_one(Posting(kind, idempotency_key, legs, description, reference, actor))


def post_one(posting):
    """Post one Posting; raises the LedgerError that refused it, with nothing written."""
    [outcome] = post_many([posting])
    if isinstance(outcome, LedgerError):
        raise outcome
    return outcome
