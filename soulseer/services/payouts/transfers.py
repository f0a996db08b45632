"""Paying readers: a payout row, the ledger posting, then one Stripe Transfer that can never be
made twice (docs/payouts.md, "Payouts").

1. `start` (the daily run, "Pay me now", an admin's retry): under the lock of her earnings
   account, with no payout of hers in flight, her available earnings of at least $15 become a
   `Payout` (pending) and move from earnings to "in transit" (`payout:<id>:start`). The Transfer
   is made by a job after the commit.
2. `send` (the job): `transfers.create` with the fixed idempotency key `payout-<id>` (Stripe
   answers a repeated key with the first answer; StripeClient retries timeouts and 5xx with it).
   Success: in transit → paid (`payout:<id>:paid`). A definite refusal (4xx: the platform's
   balance, her account): in transit → back to earnings (`payout:<id>:failed`) with a reason in
   plain words. Anything else (timeout, 5xx, 429): the payout stays pending and the tick sends it
   again later with the same key. From 24 hours on (Stripe may have forgotten the key), every
   attempt first lists Stripe's transfers of the payout's `transfer_group` and takes the one it
   finds: the payout is never paid twice.
3. `tick` (the tick registry, every few seconds): payouts whose next attempt is due are sent again,
   and from PAYOUT_RUN_HOUR_UTC each reader with an active account is looked at once a day.
"""

import logging
from datetime import timedelta

import sqlalchemy as sa
import stripe
from flask import current_app

from soulseer import clock
from soulseer.errors import DomainError
from soulseer.extensions import db
from soulseer.ledger import LedgerAccount, accounts, keys, operations
from soulseer.models import Payout, PayoutAccount, PayoutStatus, PayoutTrigger, Role, User, UserStatus
from soulseer.money import format_cents
from soulseer.services.core import after_commit, notifications
from soulseer.services.payouts import connect, earnings

log = logging.getLogger(__name__)

RETRY_SECONDS = (60, 300, 1800)  # after a timeout or a 5xx: 1 min, 5 min, then every 30 min
FIRST_SEND_WITHIN = timedelta(minutes=2)  # the job after the commit; the tick's if that job is lost
CLAIM = timedelta(minutes=5)  # the tick's claim on a payout it enqueued, so it enqueues it once
RECONCILE_AFTER = timedelta(hours=24)  # Stripe may prune idempotency keys after 24 hours
DUE_BATCH = 100
DAILY_BATCH = 200
DAILY_PER_TICK = 1000  # keeps one tick short; the rest waits for the next one
ON_REQUEST_EVERY = timedelta(hours=24)

# Why a payout failed, in her words (Stripe's error codes on transfers.create).
FAILURE_WORDS = {
    "balance_insufficient": "SoulSeer's Stripe balance could not cover it just now. Your earnings are back and "
    "will be sent again with the next daily payout.",
    "insufficient_capabilities_for_transfer": "Your Stripe account cannot receive payouts yet: finish your setup "
    "with Stripe.",
    "account_invalid": "Your Stripe account cannot receive payouts: open your Stripe dashboard to see why.",
}
FAILED_OTHERWISE = "Stripe refused it. Your earnings are back; our team has been told."


class PayoutRefused(DomainError):
    status = 422


def threshold():
    return current_app.config["PAYOUT_THRESHOLD_CENTS"]


def transfer_key(payout):
    """Stripe's idempotency key for this payout's Transfer: fixed, so a retry never pays twice."""
    return f"payout-{payout.id}"


def in_flight(user):
    return db.session.execute(
        sa.select(Payout).filter_by(user_id=user.id, status=PayoutStatus.PENDING)
    ).scalar_one_or_none()


def start(user, trigger, now=None):
    """Make a payout of her available earnings now (the caller commits; the Transfer follows after
    the commit). Raises PayoutRefused with nothing written."""
    now = now or clock.now()
    account = connect.account_for(user)
    if account is None or not account.active:
        raise PayoutRefused("Finish setting up payouts with Stripe first.")
    accounts.lock(accounts.earnings_spec(user))  # one payout decision at a time for her
    if in_flight(user) is not None:
        raise PayoutRefused("A payout is already on its way to you.", status=409)
    figures = earnings.of(user, now, with_lines=False)
    if figures.below_zero:
        raise PayoutRefused("Your earnings are below zero after a refund: payouts wait until new earnings cover it.")
    if figures.available < threshold():
        raise PayoutRefused(
            f"Payouts start from {format_cents(threshold())} available; you have {format_cents(figures.available)}."
        )
    payout = Payout(
        user_id=user.id,
        stripe_account_id=account.stripe_account_id,
        amount_cents=figures.available,
        trigger=trigger,
        run_date=now.date(),
        test=account.test,
        next_attempt_at=now + FIRST_SEND_WITHIN,
        created_at=now,
    )
    db.session.add(payout)
    db.session.flush()
    operations.start_payout(user, payout.amount_cents, keys.payout(payout.id, "start"), ("payout", payout.id))
    _enqueue(payout)
    return payout


def pay_now(user, now=None):
    """ "Pay me now": the same payout, on request, at most once in 24 hours."""
    now = now or clock.now()
    last = db.session.scalar(
        sa.select(sa.func.max(Payout.created_at)).filter_by(user_id=user.id, trigger=PayoutTrigger.ON_REQUEST)
    )
    if last is not None and now - last < ON_REQUEST_EVERY:
        wait = int((last + ON_REQUEST_EVERY - now).total_seconds()) + 1
        raise PayoutRefused(
            "You can ask for a payout once a day. The daily payout still comes by itself.", status=429, retry_after=wait
        )
    return start(user, PayoutTrigger.ON_REQUEST, now)


def _enqueue(payout):
    from soulseer.jobs.payouts import send_payout

    after_commit.enqueue(send_payout, payout.id)


# --- the Transfer ---------------------------------------------------------------------------------


def send(payout_id, now=None):
    """Make the payout's Transfer (the job). Commits. Returns the payout's status, or None when
    another worker holds it."""
    now = now or clock.now()
    payout = db.session.execute(
        sa.select(Payout).filter_by(id=payout_id).with_for_update(skip_locked=True)
    ).scalar_one_or_none()
    if payout is None or payout.status != PayoutStatus.PENDING:
        db.session.rollback()
        return payout.status if payout else None
    payout.attempts += 1
    try:
        transfer = _find_transfer(payout) if now - payout.created_at >= RECONCILE_AFTER else None
        if transfer is None:
            transfer = connect.client().v1.transfers.create(
                params={
                    "amount": payout.amount_cents,
                    "currency": current_app.config["CURRENCY"].lower(),
                    "destination": payout.stripe_account_id,
                    "transfer_group": payout.transfer_group,
                    "description": f"SoulSeer payout {payout.id}",
                    "metadata": {"payout_id": str(payout.id), "user_id": str(payout.user_id)},
                },
                options={"idempotency_key": transfer_key(payout)},
            )
    except (stripe.InvalidRequestError, stripe.PermissionError, stripe.CardError) as refusal:
        _failed(payout, refusal.code or "refused", now)
    except (stripe.StripeError, connect.PayoutsUnavailable) as error:
        # A timeout, a 5xx, a 429, a key problem: nothing is known for sure; the same key later.
        delay = RETRY_SECONDS[min(payout.attempts, len(RETRY_SECONDS)) - 1]
        payout.next_attempt_at = now + timedelta(seconds=delay)
        payout.last_error = f"{type(error).__name__}: {error}"[:500]
        log.warning("Payout %s not sent yet (attempt %s): %s", payout.id, payout.attempts, error)
    else:
        _paid(payout, transfer["id"], now)
    status = payout.status
    db.session.commit()
    return status


def _find_transfer(payout):
    """Reconciliation: the Transfer Stripe made for this payout, if any (by its transfer_group)."""
    found = connect.client().v1.transfers.list(params={"transfer_group": payout.transfer_group, "limit": 10})
    for transfer in found.data:
        if transfer["destination"] == payout.stripe_account_id and transfer["amount"] == payout.amount_cents:
            return transfer
    return None


def _paid(payout, transfer_id, now):
    operations.payout_paid(payout.user_id, payout.amount_cents, keys.payout(payout.id, "paid"), ("payout", payout.id))
    payout.status, payout.stripe_transfer_id, payout.paid_at = PayoutStatus.PAID, transfer_id, now
    payout.next_attempt_at = payout.last_error = None
    notifications.notify(
        payout.user_id,
        "payout",
        f"{format_cents(payout.amount_cents)} is on its way: sent to your Stripe account, which pays your bank.",
        link=notifications.path_for("reader.payouts"),
    )


def _failed(payout, code, now):
    operations.payout_failed(
        payout.user_id, payout.amount_cents, keys.payout(payout.id, "failed"), ("payout", payout.id)
    )
    payout.status, payout.failed_at, payout.next_attempt_at = PayoutStatus.FAILED, now, None
    payout.failure_code = code
    payout.failure_reason = FAILURE_WORDS.get(code, FAILED_OTHERWISE)
    # Not again today (the platform's balance needs time: card payments stay pending for days);
    # the next daily run tries again, or an admin sends it again from the payouts section.
    db.session.execute(sa.update(PayoutAccount).filter_by(user_id=payout.user_id).values(daily_run_on=now.date()))
    notifications.notify(
        payout.user_id,
        "payout",
        f"Your payout of {format_cents(payout.amount_cents)} did not go through. {payout.failure_reason}",
        link=notifications.path_for("reader.payouts"),
    )
    if code == "balance_insufficient" or code not in FAILURE_WORDS:
        _alert_admins(payout)


def _alert_admins(payout):
    """The platform's problem, not hers: every admin is told (and the admin's payouts section shows it)."""
    admins = db.session.execute(sa.select(User.id).filter_by(role=Role.ADMIN, status=UserStatus.ACTIVE)).scalars()
    for admin_id in admins:
        notifications.notify(
            admin_id,
            "payout",
            f"A payout of {format_cents(payout.amount_cents)} failed at Stripe ({payout.failure_code}).",
            link=notifications.path_for("admin.payouts.index", status="failed"),
        )


# --- the tick -------------------------------------------------------------------------------------


def tick(now):
    """Send the payouts whose next attempt is due; run the daily payouts once the hour has come."""
    return _send_due(now) + _daily(now)


def _send_due(now):
    due = db.session.execute(
        sa.select(Payout)
        .where(Payout.status == PayoutStatus.PENDING, Payout.next_attempt_at <= now)
        .order_by(Payout.next_attempt_at)
        .limit(DUE_BATCH)
        .with_for_update(skip_locked=True)
    ).scalars().all()  # fmt: skip
    for payout in due:
        payout.next_attempt_at = now + CLAIM  # the job's own outcome sets the next one
        _enqueue(payout)
    db.session.commit()
    return len(due)


def daily_run_started(now):
    return now.hour >= current_app.config["PAYOUT_RUN_HOUR_UTC"]


def _daily(now):
    """Each reader with an active account and earnings over the threshold, once a day: a payout if
    her available earnings reach it. Batches of accounts locked with SKIP LOCKED, so two workers
    running the tick share the readers and none is looked at twice."""
    if not daily_run_started(now):
        return 0
    today, handled = now.date(), 0
    while handled < DAILY_PER_TICK:
        batch = db.session.execute(
            sa.select(PayoutAccount)
            .join(LedgerAccount, LedgerAccount.code == sa.func.concat("earnings:", PayoutAccount.user_id))
            .where(
                PayoutAccount.transfers == "active",
                PayoutAccount.payouts_enabled.is_(True),
                PayoutAccount.test.is_(connect.testing()),
                sa.or_(PayoutAccount.daily_run_on.is_(None), PayoutAccount.daily_run_on < today),
                LedgerAccount.balance >= threshold(),
            )
            .order_by(PayoutAccount.id)
            .limit(DAILY_BATCH)
            .with_for_update(of=PayoutAccount, skip_locked=True)
        ).scalars().all()  # fmt: skip
        for account in batch:
            account.daily_run_on = today
            try:
                with db.session.begin_nested():
                    start(account.user, PayoutTrigger.DAILY, now)
            except PayoutRefused:
                pass  # not today: clearing, held, or one in flight
        db.session.commit()
        handled += len(batch)
        if len(batch) < DAILY_BATCH:
            break
    return handled


# --- what the pages show --------------------------------------------------------------------------


def recent(user, limit=10):
    return db.session.execute(
        sa.select(Payout).filter_by(user_id=user.id).order_by(Payout.id.desc()).limit(limit)
    ).scalars().all()  # fmt: skip


def next_daily_run(now=None):
    """When the next daily run starts (UTC)."""
    now = now or clock.now()
    hour = current_app.config["PAYOUT_RUN_HOUR_UTC"]
    today_run = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    return today_run if now < today_run else today_run + timedelta(days=1)
