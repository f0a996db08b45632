"""Posting: the one way money moves. Nothing else in the code base writes ledger rows.

A posting runs inside a SAVEPOINT of the caller's transaction, so a refused posting (no funds,
frozen wallet) leaves the caller free to record what happened and commit. Steps:

1. Insert the transaction row; a duplicate idempotency key waits for the other posting to finish
   (PostgreSQL's ON CONFLICT does) and then returns its result: a retry moves nothing twice. The
   same key with different contents is an error.
2. Lock the tracked accounts it touches in id order (no deadlock between overlapping postings).
3. Check limits: a client wallet may not go below zero through spending, a frozen wallet may not
   spend, reader earnings and holds never go below zero.
4. Insert the entries with each tracked account's balance after; update the cached balances.
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
    transaction: LedgerTransaction
    created: bool  # False when the idempotency key had already been posted


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

    Returns Posted(transaction, created). Raises LedgerError subclasses, with nothing written.
    """
    kind = TransactionKind(kind)
    combined = _combine(legs)
    if not combined:
        raise LedgerError("a transaction must move money")
    if sum(amount for _, amount in combined) != 0:
        raise Unbalanced(f"entries sum to {sum(a for _, a in combined)}, not zero")
    fingerprint = _fingerprint(kind, combined, reference)
    reference_type, reference_id = reference or (None, None)

    with db.session.begin_nested():
        inserted = db.session.execute(
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

        if inserted is None:
            existing = db.session.execute(
                sa.select(LedgerTransaction).filter_by(idempotency_key=idempotency_key)
            ).scalar_one()
            if existing.fingerprint != fingerprint:
                raise IdempotencyConflict(f"key {idempotency_key!r} was posted with other contents")
            return Posted(existing, created=False)

        accounts = {
            row.id: row
            for row in db.session.execute(
                sa.select(LedgerAccount.id, LedgerAccount.kind, LedgerAccount.balance, LedgerAccount.frozen)
                .where(LedgerAccount.id.in_([account_id for account_id, _ in combined]))
                .order_by(LedgerAccount.id)
                .with_for_update()
            )
        }
        if len(accounts) != len(combined):
            raise LedgerError("posting to an account that does not exist")

        entries, new_balances = [], {}
        for account_id, amount in combined:
            account = accounts[account_id]
            tracked = account.kind in TRACKED_KINDS
            after = account.balance + amount if tracked else None
            if amount < 0 and tracked:
                _check_limits(kind, account, after, -amount)
            if tracked:
                new_balances[account_id] = after
            entries.append(
                {"transaction_id": inserted, "account_id": account_id, "amount": amount, "balance_after": after}
            )
        db.session.execute(sa.insert(LedgerEntry), entries)
        for account_id, balance in new_balances.items():
            db.session.execute(sa.update(LedgerAccount).where(LedgerAccount.id == account_id).values(balance=balance))

    return Posted(db.session.get(LedgerTransaction, inserted), created=True)


def _check_limits(kind, account, after, needed):
    if account.kind == AccountKind.CLIENT_WALLET:
        if account.frozen and kind not in ALLOWED_WHEN_FROZEN:
            raise WalletFrozen("this wallet is frozen until an admin reviews a disputed payment")
        if after < 0 and kind not in MAY_OVERDRAW_WALLET:
            raise InsufficientFunds(account.id, account.balance, needed)
    elif after < 0:  # reader earnings and holds never go below zero
        raise InsufficientFunds(account.id, account.balance, needed)
