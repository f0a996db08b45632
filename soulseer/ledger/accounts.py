"""Ledger accounts by name. Each is created on first use (INSERT ... ON CONFLICT, safe under races).

`resolve(*specs)` finds several accounts in one query, which keeps a posting's round trips few.
"""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from soulseer.extensions import db
from soulseer.ledger.models import AccountKind, LedgerAccount


def _id(user):
    """A user or a user id (hot paths such as the billing tick pass ids and load no User)."""
    return user if isinstance(user, int) else user.id


def wallet_spec(user):
    return (f"wallet:{_id(user)}", AccountKind.CLIENT_WALLET, _id(user))


def wallet_code_clause(owner_id):
    """`wallet_spec`'s code as SQL, for a wallet whose owner is a column of the statement."""
    return sa.func.concat("wallet:", owner_id)


def earnings_spec(user):
    return (f"earnings:{_id(user)}", AccountKind.READER_EARNINGS, _id(user))


def in_transit_spec(user):
    """A reader's payouts on their way to her Stripe account (derived: entries only)."""
    return (f"payouts:in_transit:{_id(user)}", AccountKind.PAYOUTS_IN_TRANSIT, _id(user))


def paid_spec(user):
    """What has been paid out to a reader, ever (derived: entries only)."""
    return (f"payouts:paid:{_id(user)}", AccountKind.PAYOUTS_PAID, _id(user))


def hold_code_prefix(reference_type):
    return f"hold:{reference_type}:"


def hold_spec(reference_type, reference_id, owner):
    return (f"{hold_code_prefix(reference_type)}{reference_id}", AccountKind.HOLD, _id(owner))


PLATFORM_REVENUE = ("platform:revenue", AccountKind.PLATFORM_REVENUE, None)
STRIPE_CLEARING = ("stripe:clearing", AccountKind.STRIPE_CLEARING, None)
ADJUSTMENTS = ("platform:adjustments", AccountKind.ADJUSTMENTS, None)


def resolve(*specs):
    """The accounts for (code, kind, owner id) specs, in order, creating any that are missing."""

    def lookup():
        codes = [code for code, _, _ in specs]
        return {
            a.code: a
            for a in db.session.execute(sa.select(LedgerAccount).where(LedgerAccount.code.in_(codes))).scalars()
        }

    found = lookup()
    missing = [spec for spec in specs if spec[0] not in found]
    if missing:
        db.session.execute(
            insert(LedgerAccount)
            .values([{"code": code, "kind": kind, "owner_id": owner_id} for code, kind, owner_id in missing])
            .on_conflict_do_nothing(index_elements=["code"])
        )
        found = lookup()
    return [found[code] for code, _, _ in specs]


def lock(*specs):
    """Lock these accounts for the rest of the transaction, in id order as every posting does (so
    this never deadlocks with one), creating any that are missing. For a check that must hold until
    the posting that follows it (a refund's "at most what is left")."""
    found = resolve(*specs)
    db.session.execute(
        sa.select(LedgerAccount.id).where(LedgerAccount.id.in_([a.id for a in found])).order_by(LedgerAccount.id)
        .with_for_update()
    ).all()  # fmt: skip
    return found


def wallet(user):
    return resolve(wallet_spec(user))[0]


def reader_earnings(user):
    return resolve(earnings_spec(user))[0]


def hold(reference_type, reference_id, owner):
    """The hold for one thing (a reading, a booking): money reserved from `owner`'s wallet."""
    return resolve(hold_spec(reference_type, reference_id, owner))[0]


def platform_revenue():
    return resolve(PLATFORM_REVENUE)[0]


def stripe_clearing():
    return resolve(STRIPE_CLEARING)[0]


def find_wallet(user):
    """The user's wallet if it exists (no row is created for someone who never had money)."""
    return db.session.execute(sa.select(LedgerAccount).filter_by(code=wallet_spec(user)[0])).scalar_one_or_none()
