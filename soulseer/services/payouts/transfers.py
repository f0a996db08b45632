"""Paying readers: a payout row, the ledger posting, then one Stripe Transfer that can never be
made twice (docs/payouts.md, "Payouts").

1. `start` ("Pay me now", an admin's retry) and `start_many` (a batch of the daily run, in a fixed
   number of statements): under the lock of her earnings account, with no payout of hers in
   flight, her available earnings of at least $15 become a `Payout` (pending) and move from
   earnings to "in transit" (`payout:<id>:start`). The Transfers are made by jobs of 50 payouts
   after the commit.
2. `sending.send_many` (the job): each payout's Transfer, never made twice (see that module).
3. `tick` (the tick registry, every few seconds): payouts whose next attempt is due are sent again,
   and from PAYOUT_RUN_HOUR_UTC each reader with an active account is looked at once a day.
"""

import logging
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from soulseer import clock
from soulseer.errors import DomainError
from soulseer.extensions import db
from soulseer.ledger import LedgerAccount, LedgerError, accounts, keys, operations, post_many
from soulseer.models import Payout, PayoutAccount, PayoutStatus, PayoutTrigger
from soulseer.money import format_cents
from soulseer.services.core import ticks
from soulseer.services.payouts import connect, earnings, sending

log = logging.getLogger(__name__)

FIRST_SEND_WITHIN = timedelta(minutes=2)  # the job after the commit; the tick's if that job is lost
DUE_BATCH = 100
DAILY_BATCH = 200
DAILY_PER_TICK = 1000  # keeps one tick short; the rest waits for the next one
ON_REQUEST_EVERY = timedelta(hours=24)


class PayoutRefused(DomainError):
    status = 422


def threshold():
    return current_app.config["PAYOUT_THRESHOLD_CENTS"]


def start(user, trigger, now=None):
    """Make a payout of her available earnings now (the caller commits; the Transfer follows after
    the commit). Raises PayoutRefused with nothing written."""
    now = now or clock.now()
    account = connect.account_for(user)
    if account is None or not account.active:
        raise PayoutRefused("Finish setting up payouts with Stripe first.")
    [outcome] = start_many([account], trigger, now)
    if isinstance(outcome, PayoutRefused):
        raise outcome
    return outcome


def start_many(payout_accounts, trigger, now):
    """Payouts for many readers at once (a batch of the daily run; `start`'s one), each account
    active: per account, in order, the Payout made or the PayoutRefused saying why not (nothing
    written for it). A fixed number of statements per batch, none per reader: the earnings
    accounts locked (one payout decision at a time for each reader; a sale's posting waits), the
    payouts in flight, the figures (earnings.payable), one INSERT of the payouts, and their
    postings earnings → in transit (`payout:<id>:start`) in one round trip (post_many). The
    caller commits; jobs of SEND_CHUNK then send the batch's Transfers."""
    user_ids = [account.user_id for account in payout_accounts]
    accounts.lock(*(accounts.earnings_spec(user_id) for user_id in user_ids))
    flying = set(db.session.scalars(
        sa.select(Payout.user_id).where(Payout.user_id.in_(user_ids), Payout.status == PayoutStatus.PENDING)
    ))  # fmt: skip
    figures = earnings.payable(user_ids, now)
    outcomes = []
    for account in payout_accounts:
        refusal = _refusal(account.user_id in flying, figures[account.user_id])
        outcomes.append(refusal or Payout(
            user_id=account.user_id,
            stripe_account_id=account.stripe_account_id,
            amount_cents=figures[account.user_id].available,
            trigger=trigger,
            run_date=now.date(),
            test=account.test,
            next_attempt_at=now + FIRST_SEND_WITHIN,
            created_at=now,
        ))  # fmt: skip
    made = [outcome for outcome in outcomes if isinstance(outcome, Payout)]
    if not made:
        return outcomes
    db.session.add_all(made)
    db.session.flush()  # one INSERT ... RETURNING for the batch
    postings = [
        operations.start_payout_posting(p.user_id, p.amount_cents, keys.payout(p.id, "start"), ("payout", p.id))
        for p in made
    ]
    refused = {p.id: r for p, r in zip(made, post_many(postings), strict=True) if isinstance(r, LedgerError)}
    if refused:  # cannot happen under the lock (available <= balance); kept exact if it ever does
        for payout in made:
            if payout.id in refused:
                log.error("Payout for user %s not started: %s", payout.user_id, refused[payout.id])
                db.session.delete(payout)
        db.session.flush()
        outcomes = [
            PayoutRefused("Your earnings changed just now: try again.", status=409)
            if isinstance(o, Payout) and o.id in refused else o
            for o in outcomes
        ]  # fmt: skip
    sending.enqueue([p.id for p in made if p.id not in refused])
    return outcomes


def _refusal(in_flight_now, figures):
    """Why no payout now (a PayoutRefused), or None."""
    if in_flight_now:
        return PayoutRefused("A payout is already on its way to you.", status=409)
    if figures.below_zero:
        return PayoutRefused("Your earnings are below zero after a refund: payouts wait until new earnings cover it.")
    if figures.available < threshold():
        return PayoutRefused(
            f"Payouts start from {format_cents(threshold())} available; you have {format_cents(figures.available)}."
        )
    return None


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
        payout.next_attempt_at = now + sending.CLAIM  # the job's own outcome sets the next one
    sending.enqueue([payout.id for payout in due])
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
    today = now.date()

    def next_batch(_after):
        return db.session.execute(
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

    def handle(batch):
        if batch:
            db.session.execute(
                sa.update(PayoutAccount).where(PayoutAccount.id.in_([a.id for a in batch])).values(daily_run_on=today)
            )
            start_many(batch, PayoutTrigger.DAILY, now)  # refused: not today (clearing, held, one in flight)

    return ticks.in_batches(next_batch, handle, DAILY_BATCH, most=DAILY_PER_TICK)


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
