"""Posting: the one way money moves. Nothing else in the code base writes ledger rows.

A posting is part of the caller's transaction (the caller commits). Nothing is written until
every check has passed, so a refused posting (no funds, frozen wallet) leaves the caller free to
record what happened and commit. Steps:

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
from sqlalchemy.dialects.postgresql import insert

from soulseer.extensions import db
from soulseer.ledger.models import (
    TRACKED_KINDS,
    AccountKind,
    LedgerAccount,
    LedgerEntry,
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


def post(kind, idempotency_key, legs, *, description, reference=None, actor=None):
    """Post a balanced transaction. `legs` is [(account or account id, signed cents), ...].

    Returns Posted(transaction_id, created). Raises LedgerError subclasses with nothing written,
    and the caller's transaction still usable (only row locks were taken).
    """
    kind = TransactionKind(kind)
    combined = _combine(legs)
    if not combined:
        raise LedgerError("a transaction must move money")
    if sum(amount for _, amount in combined) != 0:
        raise Unbalanced(f"entries sum to {sum(a for _, a in combined)}, not zero")
    fingerprint = _fingerprint(kind, combined, reference)
    reference_type, reference_id = reference or (None, None)
    session = db.session

    # 1. Lock the tracked accounts in id order. Derived accounts (platform revenue, Stripe) are
    #    never locked, so concurrent charges do not queue behind them.
    tracked = {
        row.id: row
        for row in session.execute(
            sa.select(LedgerAccount.id, LedgerAccount.kind, LedgerAccount.balance, LedgerAccount.frozen)
            .where(LedgerAccount.id.in_([account_id for account_id, _ in combined]))
            .where(LedgerAccount.kind.in_(TRACKED_KINDS))
            .order_by(LedgerAccount.id)
            .with_for_update()
        )
    }

    # 2. Already posted? (A concurrent posting with this key touched the same accounts, so it has
    #    committed by the time we hold the locks, and this statement's snapshot sees it.)
    existing = _existing(idempotency_key, fingerprint)
    if existing is not None:
        return existing

    # 3. Limits, before anything is written.
    new_balances = {}
    for account_id, amount in combined:
        account = tracked.get(account_id)
        if account is not None:
            new_balances[account_id] = account.balance + amount
            if amount < 0:
                _check_limits(kind, account, new_balances[account_id], -amount)

    # 4. The transaction row; a key taken meanwhile by a posting over other accounts is returned.
    transaction_id = session.execute(
        insert(LedgerTransaction)
        .values(
            kind=kind,
            idempotency_key=idempotency_key,
            fingerprint=fingerprint,
            reference_type=reference_type,
            reference_id=reference_id,
            description=description[:200],
            actor_id=actor.id if actor else None,
        )
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(LedgerTransaction.id)
    ).scalar_one_or_none()
    if transaction_id is None:
        return _existing(idempotency_key, fingerprint)

    # 5. Entries and cached balances (a missing account id fails on the foreign key).
    session.execute(
        sa.insert(LedgerEntry),
        [
            {
                "transaction_id": transaction_id,
                "account_id": account_id,
                "amount": amount,
                "balance_after": new_balances.get(account_id),
            }
            for account_id, amount in combined
        ],
    )
    if new_balances:
        values = sa.values(sa.column("id", sa.Integer), sa.column("balance", sa.BigInteger), name="new").data(
            list(new_balances.items())
        )
        session.execute(
            sa.update(LedgerAccount)
            .where(LedgerAccount.id == values.c.id)
            .values(balance=values.c.balance)
            .execution_options(synchronize_session=False)
        )
    return Posted(transaction_id, created=True)


def _existing(idempotency_key, fingerprint):
    row = db.session.execute(
        sa.select(LedgerTransaction.id, LedgerTransaction.fingerprint).filter_by(idempotency_key=idempotency_key)
    ).one_or_none()
    if row is None:
        return None
    if row.fingerprint != fingerprint:
        raise IdempotencyConflict(f"key {idempotency_key!r} was posted with other contents")
    return Posted(row.id, created=False)


def _check_limits(kind, account, after, needed):
    if account.kind == AccountKind.CLIENT_WALLET:
        if account.frozen and kind not in ALLOWED_WHEN_FROZEN:
            raise WalletFrozen("this wallet is frozen until an admin reviews a disputed payment")
        if after < 0 and kind not in MAY_OVERDRAW_WALLET:
            raise InsufficientFunds(account.id, account.balance, needed)
    elif after < 0:  # reader earnings and holds never go below zero
        raise InsufficientFunds(account.id, account.balance, needed)
