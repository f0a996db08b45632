"""What admins see and do in the ledger: accounts, their lines, totals, wallet adjustments, and
lifting a disputed wallet's freeze."""

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload

from soulseer.errors import DomainError
from soulseer.extensions import db
from soulseer.ledger import TRACKED_KINDS, InsufficientFunds, LedgerAccount, LedgerEntry, keys, operations, reads
from soulseer.models import User
from soulseer.services.core import audit, notifications
from soulseer.services.payments import wallet

LINES_PER_PAGE = 50


class AdjustmentError(DomainError):
    """A wallet adjustment or a freeze's lifting refused: the admin's form is shown again."""

    status = 422


def search_accounts(query, page):
    """Accounts by code or owner (email or name), tracked kinds with their cached balance."""
    statement = (
        sa.select(LedgerAccount)
        .outerjoin(User, User.id == LedgerAccount.owner_id)
        .options(contains_eager(LedgerAccount.owner))
        .order_by(LedgerAccount.kind, LedgerAccount.id)
    )
    if query:
        like = f"%{query.strip().lower()}%"
        statement = statement.where(
            sa.or_(LedgerAccount.code.ilike(like), User.email.ilike(like), User.display_name.ilike(like))
        )
    return db.paginate(statement, page=page, per_page=LINES_PER_PAGE, error_out=False, count=True)


def derived_balances():
    """The balances of the platform's accounts kept without a cached balance (revenue, Stripe,
    adjustments). Each reader's payouts in transit and paid out are derived accounts too, one pair
    per reader: they are in the accounts list and the Payouts section, not here."""
    rows = db.session.execute(
        sa.select(LedgerAccount.id, LedgerAccount.code, sa.func.coalesce(sa.func.sum(LedgerEntry.amount), 0))
        .outerjoin(LedgerEntry, LedgerEntry.account_id == LedgerAccount.id)
        .where(LedgerAccount.kind.not_in(TRACKED_KINDS), LedgerAccount.owner_id.is_(None))
        .group_by(LedgerAccount.id)
        .order_by(LedgerAccount.code)
    ).all()
    return [(account_id, code, total) for account_id, code, total in rows]


def tracked_totals():
    """Sum of cached balances per tracked kind (all wallets, all earnings, all holds)."""
    rows = db.session.execute(
        sa.select(LedgerAccount.kind, sa.func.sum(LedgerAccount.balance), sa.func.count())
        .where(LedgerAccount.kind.in_(TRACKED_KINDS))
        .group_by(LedgerAccount.kind)
    ).all()
    return {kind: (total, count) for kind, total, count in rows}


def account_lines(account, page):
    statement = (
        sa.select(LedgerEntry)
        .options(joinedload(LedgerEntry.transaction))
        .where(LedgerEntry.account_id == account.id)
        .order_by(LedgerEntry.id.desc())
    )
    return db.paginate(statement, page=page, per_page=LINES_PER_PAGE, error_out=False, count=True)


def adjust_wallet(admin, account, cents, reason, request_key):
    """Post an admin's correction to a client wallet once per form (`request_key`), audit-logged in
    the same transaction. Returns the Posted result; raises AdjustmentError for bad input."""
    if account.kind != "client_wallet":
        raise AdjustmentError("Only client wallets can be adjusted here.")
    if cents == 0:
        raise AdjustmentError("Enter an amount other than zero.", "amount")
    reason = _checked_reason(reason)
    owner = db.session.get(User, account.owner_id)
    before = reads.account_balance(account)
    try:
        posted = operations.adjust_wallet(owner, cents, keys.adjustment(request_key), admin, reason)
    except InsufficientFunds as error:
        raise AdjustmentError(
            f"The wallet holds {before} cents; an adjustment cannot take it below zero.", "amount"
        ) from error
    if posted.created:
        wallet.announce_balance(owner)
        audit.record(
            admin,
            "ledger.adjust_wallet",
            owner,
            before={"balance_cents": before},
            after={"balance_cents": before + cents, "transaction_id": posted.transaction_id},
            reason=reason,
        )
    return posted


def _checked_reason(reason):
    reason = (reason or "").strip()
    if not 5 <= len(reason) <= 500:
        raise AdjustmentError("Give a reason of 5 to 500 characters.", "reason")
    return reason


def lift_freeze(admin, account, reason):
    """An admin reviewed the disputed payment: the client's wallet may spend again. Audit-logged
    and the client notified, in the caller's transaction. Returns False when the wallet was not
    frozen (already lifted, say by another admin a moment before): nothing is recorded then."""
    if account.kind != "client_wallet":
        raise AdjustmentError("Only client wallets are frozen.")
    reason = _checked_reason(reason)
    owner = db.session.get(User, account.owner_id)
    if not operations.lift_freeze(owner):
        return False
    audit.record(admin, "wallet.freeze_lifted", owner, before={"frozen": True}, after={"frozen": False}, reason=reason)
    notifications.notify(
        owner, "system", "Your wallet can be used again: we have finished reviewing the disputed payment.", "/wallet"
    )
    return True
