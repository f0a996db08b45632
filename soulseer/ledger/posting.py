"""Posting: the one way money moves. Nothing else in the code base writes ledger rows.

A posting is part of the caller's transaction (the caller commits). Nothing is written until
every check has passed, so a refused posting (no funds, frozen wallet) leaves the caller free to
record what happened and commit. The steps run inside the database, in the function ledger_post()
(migration 0011), so a posting costs one round trip:

1. Lock the tracked accounts it touches, in id order (no deadlock between overlapping postings);
   derived accounts (platform revenue, Stripe clearing, payouts) are never locked.
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
from dataclasses import dataclass

import sqlalchemy as sa

from soulseer import clock
from soulseer.extensions import db
from soulseer.ledger.models import (
    LedgerTransaction,
    TransactionKind,
)


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


def _fingerprint(kind, legs, reference):
    canonical = json.dumps(
        {"kind": str(kind), "legs": sorted(legs), "reference": list(reference or (None, None))}, sort_keys=True
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _combine(legs):
    """Sum the amounts per account and drop zero legs: [(account_id, amount), ...]."""
    totals = {}
    for account, amount in legs:
        if not isinstance(amount, int) or isinstance(amount, bool):
            raise LedgerError(f"amounts are integer cents, got {amount!r}")
        account_id = account if isinstance(account, int) else account.id
        totals[account_id] = totals.get(account_id, 0) + amount
    return sorted((account_id, amount) for account_id, amount in totals.items() if amount != 0)


_POST = sa.text(
    "SELECT transaction_id, status, detail FROM ledger_post(:kind, :key, :fingerprint, :reference_type, "
    "CAST(:reference_id AS bigint), :description, CAST(:actor_id AS integer), CAST(:account_ids AS bigint[]), "
    "CAST(:amounts AS bigint[]), :may_overdraw, :when_frozen, :at)"
)


def post(kind, idempotency_key, legs, *, description, reference=None, actor=None):
    """Post a balanced transaction. `legs` is [(account or account id, signed cents), ...].

    Returns Posted(transaction_id, created). Raises LedgerError subclasses with nothing written,
    and the caller's transaction still usable (only row locks were taken). The steps run in the
    database function ledger_post() (migration 0011), in one round trip.
    """
    kind = TransactionKind(kind)
    combined = _combine(legs)
    if not combined:
        raise LedgerError("a transaction must move money")
    if sum(amount for _, amount in combined) != 0:
        raise Unbalanced(f"entries sum to {sum(a for _, a in combined)}, not zero")
    reference_type, reference_id = reference or (None, None)
    row = db.session.execute(
        _POST,
        {
            "kind": kind.value,
            "key": idempotency_key,
            "fingerprint": _fingerprint(kind, combined, reference),
            "reference_type": reference_type,
            "reference_id": reference_id,
            "description": description[:200],
            "actor_id": actor.id if actor else None,
            "account_ids": [account_id for account_id, _ in combined],
            "amounts": [amount for _, amount in combined],
            "may_overdraw": kind in MAY_OVERDRAW_WALLET,
            "when_frozen": kind in ALLOWED_WHEN_FROZEN,
            "at": clock.now(),
        },
    ).one()
    if row.status == "created":
        return Posted(row.transaction_id, created=True)
    if row.status == "existing":
        return Posted(row.transaction_id, created=False)
    if row.status == "conflict":
        raise IdempotencyConflict(f"key {idempotency_key!r} was posted with other contents")
    if row.status == "frozen":
        raise WalletFrozen("this wallet is frozen until an admin reviews a disputed payment")
    account_id, balance, needed = (int(part) for part in row.detail.split(":"))
    raise InsufficientFunds(account_id, balance, needed)
