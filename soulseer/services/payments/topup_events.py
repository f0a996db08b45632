"""The top-ups' own Stripe events (docs/stripe.md), applied by `stripe_events.process`:

- One credit per Checkout Session: ledger key "topup:<session id>", whichever of
  `checkout.session.completed` (paid) and `checkout.session.async_payment_succeeded` comes first.
- Every event about a top-up locks the top-up's row first, so events for one top-up are applied
  one at a time, whatever number of workers run them.
- A refund or dispute that arrives before its top-up was credited is kept as failed ("top-up not
  credited yet"); crediting the top-up re-enqueues it, and a replay or an admin retry runs it too.
  A dispute's closing that overtakes its opening waits the same way ("dispute not applied yet").
"""

import sqlalchemy as sa

from soulseer import clock
from soulseer.extensions import db
from soulseer.ledger import TransactionKind, accounts, keys, operations, reads
from soulseer.models import Topup, TopupStatus, User
from soulseer.money import format_cents
from soulseer.services.core import audit
from soulseer.services.payments import wallet
from soulseer.services.payments.stripe_events import (
    DISPUTE_NOT_APPLIED_YET,
    NOT_CREDITED_YET,
    NotApplicable,
    check_session_pays,
    enqueue_waiting,
)


def _locked_topup(**criteria):
    return db.session.execute(sa.select(Topup).filter_by(**criteria).with_for_update()).scalar_one_or_none()


def _topup_for_session(session):
    session_id = session.get("id")
    topup = _locked_topup(checkout_session_id=session_id) if session_id else None
    if topup is None:
        # The session's id is saved right after Stripe creates it; an event faster than that
        # finds its top-up by the metadata we sent.
        topup_id = str((session.get("metadata") or {}).get("topup_id") or "")
        if topup_id.isdigit():
            topup = _locked_topup(id=int(topup_id))
            if topup is not None and topup.checkout_session_id is None:
                topup.checkout_session_id = session_id
            elif topup is not None:
                topup = None  # it belongs to another session
    if topup is None:
        raise NotApplicable(f"unknown checkout session {session_id}")
    return topup


def _check_session_matches(topup, session):
    check_session_pays(session, topup.user_id, topup.amount_cents, f"top-up {topup.id}")
    return db.session.get(User, topup.user_id)


def _remember_payment_intent(topup, session):
    payment_intent = session.get("payment_intent")
    if isinstance(payment_intent, dict):
        payment_intent = payment_intent.get("id")
    if payment_intent and not topup.payment_intent_id:
        topup.payment_intent_id = payment_intent


def _credit(topup, user, session_id):
    posted = operations.credit_topup(
        user, topup.amount_cents, keys.topup(session_id), ("topup", topup.id), description="Wallet top-up"
    )
    if posted.created:
        wallet.announce_balance(user)
    if topup.status in (TopupStatus.PENDING, TopupStatus.FAILED):
        # Money Stripe says arrived is credited even after a failure report: Stripe is the truth.
        topup.status, topup.credited_at, topup.failure_reason = TopupStatus.CREDITED, clock.now(), None
    _enqueue_waiting_events(topup)


def _enqueue_waiting_events(topup):
    """Refunds and disputes that came before the credit: apply them now that it exists."""
    if topup.payment_intent_id:
        enqueue_waiting(NOT_CREDITED_YET, "payment_intent", topup.payment_intent_id)


def on_session_completed(session):
    topup = _topup_for_session(session)
    user = _check_session_matches(topup, session)
    _remember_payment_intent(topup, session)
    if session.get("payment_status") == "paid":
        _credit(topup, user, session["id"])
    # "unpaid": a delayed payment method; async_payment_succeeded or _failed follows.


def on_async_payment_succeeded(session):
    topup = _topup_for_session(session)
    user = _check_session_matches(topup, session)
    _remember_payment_intent(topup, session)
    _credit(topup, user, session["id"])


def on_session_not_paid(reason):
    def handler(session):
        topup = _topup_for_session(session)
        if topup.status == TopupStatus.PENDING:
            topup.status, topup.failure_reason = TopupStatus.FAILED, reason
        elif topup.status != TopupStatus.FAILED:
            raise NotApplicable(f"top-up {topup.id} is {topup.status}: {reason} changes nothing")

    return handler


def _topup_for_payment(payment_intent):
    if isinstance(payment_intent, dict):
        payment_intent = payment_intent.get("id")
    topup = _locked_topup(payment_intent_id=payment_intent) if payment_intent else None
    if topup is None or topup.status in (TopupStatus.PENDING, TopupStatus.FAILED):
        raise NotApplicable(f"{NOT_CREDITED_YET} (payment {payment_intent})")
    return topup


def _taken_back(topup, kinds, key=None):
    """Cents already taken back from the wallet for this top-up by transactions of `kinds` (and
    only the one with idempotency key `key`, when given)."""
    return -reads.moved(accounts.wallet_spec(topup.user), ("topup", topup.id), kinds, key)


def _posted(key):
    return reads.posted(key) is not None


def on_charge_refunded(charge):
    """Debit what was refunded. `amount_refunded` is cumulative, so each event debits what the
    refunds so far add up to minus what was debited already; an older event (smaller total)
    arriving late debits nothing. The key names the charge and that total."""
    topup = _topup_for_payment(charge.get("payment_intent"))
    if charge.get("amount") != topup.amount_cents:
        raise NotApplicable(f"amount mismatch: charge {charge.get('id')} is {charge.get('amount')}, "
                            f"top-up {topup.id} is {topup.amount_cents}")  # fmt: skip
    refunded = int(charge.get("amount_refunded") or 0)
    key = keys.topup_refund(charge.get("id"), refunded)
    if _posted(key):
        return
    already_refunded = _taken_back(topup, [TransactionKind.TOPUP_REFUND])
    left = topup.amount_cents - _taken_back(topup, [TransactionKind.TOPUP_REFUND, TransactionKind.DISPUTE])
    amount = min(refunded - already_refunded, left)
    if amount > 0:
        operations.debit_topup_refund(topup.user, amount, key, ("topup", topup.id))
        wallet.announce_balance(topup.user)
    if refunded > 0 and topup.status == TopupStatus.CREDITED:
        topup.status = TopupStatus.REFUNDED


def on_dispute_created(dispute):
    """Take the disputed money back and freeze spending until an admin reviews (key: dispute id)."""
    topup = _topup_for_payment(dispute.get("payment_intent"))
    key = keys.dispute(dispute.get("id"))
    if _posted(key):
        return
    left = topup.amount_cents - _taken_back(topup, [TransactionKind.TOPUP_REFUND, TransactionKind.DISPUTE])
    amount = min(int(dispute.get("amount") or 0), left)
    disputed = f"Your card issuer disputed a {format_cents(topup.amount_cents)} top-up"
    if amount > 0:
        operations.debit_dispute(topup.user, amount, key, ("topup", topup.id))
        news = f"{disputed}, so {format_cents(amount)} was taken from your wallet and spending is paused"
    elif topup.status == TopupStatus.DISPUTED:
        return  # nothing to take and frozen for it already: another event about this charge's one dispute
    else:  # refunded in full already: nothing more to take, but spending still waits for the review
        operations.freeze(topup.user)
        news = f"{disputed} that was already refunded, so nothing was taken from your wallet, but spending is paused"
    wallet.announce_balance(topup.user, f"{news} until our team has reviewed it.")
    topup.status = TopupStatus.DISPUTED
    audit.record(
        None,
        "wallet.frozen_by_dispute",
        topup.user,
        after={
            "dispute": dispute.get("id"),
            "topup": topup.id,
            "amount_cents": amount,
            "frozen": wallet.is_frozen(topup.user),
        },
        reason=f"Stripe dispute {dispute.get('id')} ({dispute.get('reason') or 'no reason given'})",
    )
    enqueue_waiting(DISPUTE_NOT_APPLIED_YET, "id", str(dispute.get("id")))


def on_dispute_closed(dispute):
    """Won: Stripe returned the money, so the wallet gets back what the dispute took (key
    dispute-won:<dispute id>); the freeze stays until an admin lifts it. Lost: the money stays
    taken. An inquiry closed without a dispute (warning_closed) took nothing."""
    if dispute.get("status") != "won":
        return
    topup = _topup_for_payment(dispute.get("payment_intent"))
    dispute_id = dispute.get("id")
    key = keys.dispute_won(dispute_id)
    if _posted(key):
        return
    taken = _taken_back(topup, [TransactionKind.DISPUTE], key=keys.dispute(dispute_id))
    if taken == 0 and topup.status != TopupStatus.DISPUTED:
        raise NotApplicable(f"{DISPUTE_NOT_APPLIED_YET} (dispute {dispute_id})")
    if taken > 0:
        operations.credit_dispute_reversal(topup.user, taken, key, ("topup", topup.id))
        wallet.announce_balance(
            topup.user,
            f"The disputed top-up was settled in your favour: {format_cents(taken)} is back in your wallet. "
            "Spending stays paused until our team finishes its review.",
        )
    refunded = _taken_back(topup, [TransactionKind.TOPUP_REFUND]) > 0
    topup.status = TopupStatus.REFUNDED if refunded else TopupStatus.CREDITED
    audit.record(
        None,
        "wallet.dispute_won",
        topup.user,
        after={"dispute": dispute_id, "topup": topup.id, "amount_cents": taken},
        reason=f"Stripe dispute {dispute_id} closed in our favour; the wallet stays frozen until an admin lifts it",
    )


HANDLERS = {
    "checkout.session.completed": on_session_completed,
    "checkout.session.async_payment_succeeded": on_async_payment_succeeded,
    "checkout.session.async_payment_failed": on_session_not_paid("The payment failed."),
    "checkout.session.expired": on_session_not_paid("The checkout expired before payment."),
    "charge.refunded": on_charge_refunded,
    "charge.dispute.created": on_dispute_created,
    "charge.dispute.closed": on_dispute_closed,
}
