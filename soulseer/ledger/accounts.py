"""Ledger accounts by name. Each is created on first use (INSERT ... ON CONFLICT, safe under races)."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from soulseer.extensions import db
from soulseer.ledger.models import AccountKind, LedgerAccount


def _account(code, kind, owner_id=None):
    db.session.execute(
        insert(LedgerAccount)
        .values(code=code, kind=kind, owner_id=owner_id)
        .on_conflict_do_nothing(index_elements=["code"])
    )
    return db.session.execute(sa.select(LedgerAccount).filter_by(code=code)).scalar_one()


def wallet(user):
    return _account(f"wallet:{user.id}", AccountKind.CLIENT_WALLET, user.id)


def reader_earnings(user):
    return _account(f"earnings:{user.id}", AccountKind.READER_EARNINGS, user.id)


def hold(reference_type, reference_id, owner):
    """The hold for one thing (a reading, a booking): money reserved from `owner`'s wallet."""
    return _account(f"hold:{reference_type}:{reference_id}", AccountKind.HOLD, owner.id)


def platform_revenue():
    return _account("platform:revenue", AccountKind.PLATFORM_REVENUE)


def stripe_clearing():
    return _account("stripe:clearing", AccountKind.STRIPE_CLEARING)


def payouts_in_transit():
    return _account("payouts:in_transit", AccountKind.PAYOUTS_IN_TRANSIT)


def payouts_paid():
    return _account("payouts:paid", AccountKind.PAYOUTS_PAID)


def adjustments():
    return _account("platform:adjustments", AccountKind.ADJUSTMENTS)


def find_wallet(user):
    """The user's wallet if it exists (no row is created for someone who never had money)."""
    return db.session.execute(sa.select(LedgerAccount).filter_by(code=f"wallet:{user.id}")).scalar_one_or_none()


def balance(account):
    """Any account's balance: the cached one for tracked kinds, the sum of entries otherwise."""
    from soulseer.ledger.models import LedgerEntry

    if account.tracked:
        return db.session.execute(sa.select(LedgerAccount.balance).filter_by(id=account.id)).scalar_one()
    return db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(LedgerEntry.amount), 0)).filter_by(account_id=account.id)
    ).scalar_one()
