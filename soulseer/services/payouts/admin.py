"""The admin's payouts section (docs/payouts.md, "Admin"): payouts by status and reader, what the
platform owes readers against its Stripe balance, and sending a failed payout again."""

import logging

import sqlalchemy as sa
import sqlalchemy.orm
import stripe
from flask import current_app

from soulseer.extensions import db
from soulseer.ledger import LedgerAccount
from soulseer.ledger.models import AccountKind, LedgerEntry
from soulseer.models import Payout, PayoutStatus, PayoutTrigger, User
from soulseer.services.core import audit
from soulseer.services.payouts import connect, transfers

log = logging.getLogger(__name__)
PER_PAGE = 50


def listing(status="", reader_id=None, page=1):
    statement = sa.select(Payout).join(User, User.id == Payout.user_id).order_by(Payout.id.desc())
    if status:
        statement = statement.where(Payout.status == status)
    if reader_id:
        statement = statement.where(Payout.user_id == reader_id)
    return db.paginate(statement, page=page, per_page=PER_PAGE, error_out=False)


def counts():
    """{status: (how many, cents)} over every payout."""
    rows = db.session.execute(
        sa.select(Payout.status, sa.func.count(), sa.func.coalesce(sa.func.sum(Payout.amount_cents), 0)).group_by(
            Payout.status
        )
    ).all()
    return {status: (count, int(cents)) for status, count, cents in rows}


def failed_unresolved_clause():
    """A failed payout that is its reader's latest: nothing has been paid to her since."""
    newer = sa.orm.aliased(Payout)
    return sa.and_(
        Payout.status == PayoutStatus.FAILED,
        ~sa.exists().where(newer.user_id == Payout.user_id, newer.id > Payout.id),
    )


def failed_unresolved_count():
    return db.session.scalar(sa.select(sa.func.count()).select_from(Payout).where(failed_unresolved_clause()))


def owed_to_readers():
    """(earnings not paid out, in transit): what the platform owes readers, from the ledger."""
    earnings = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(LedgerAccount.balance), 0)).where(
            LedgerAccount.kind == AccountKind.READER_EARNINGS
        )
    )
    in_transit = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(LedgerEntry.amount), 0))
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .where(LedgerAccount.kind == AccountKind.PAYOUTS_IN_TRANSIT)
    )
    return int(earnings), int(in_transit)


def platform_balance():
    """The platform's available Stripe balance in our currency (cents), or None if Stripe cannot
    be asked now."""
    if not connect.available():
        return None
    try:
        balance = connect.client().v1.balance.retrieve()
    except (stripe.StripeError, connect.PayoutsUnavailable) as error:
        log.warning("Stripe balance not read: %s", error)
        return None
    currency = current_app.config["CURRENCY"].lower()
    return sum(int(part["amount"]) for part in balance["available"] if part["currency"] == currency)


def retry(payout_id, actor):
    """Send a failed payout's reader her available earnings again: a new payout (the failed one's
    money went back to her earnings). Only her latest payout, and only a failed one. Audit-logged.
    The caller commits. Raises PayoutRefused."""
    failed = db.session.execute(
        sa.select(Payout).where(Payout.id == payout_id, failed_unresolved_clause())
    ).scalar_one_or_none()
    if failed is None:
        raise transfers.PayoutRefused("Only a reader's latest payout, when it failed, can be sent again.", status=409)
    payout = transfers.start(failed.user, PayoutTrigger.RETRY)
    audit.record(
        actor,
        "payouts.retry",
        failed.user,
        before={"payout": failed.id, "status": failed.status, "failure_code": failed.failure_code},
        after={"payout": payout.id, "amount_cents": payout.amount_cents},
        reason="Sent again after a failed payout",
    )
    return payout
