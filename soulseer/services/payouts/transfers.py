"""Paying readers: a payout row, the ledger posting, then one Stripe Transfer that can never be
made twice (docs/payouts.md, "Payouts").

1. `start` ("Pay me now", an admin's retry) and `start_many` (a batch of the daily run, in a fixed
   number of statements): under the lock of her earnings account, with no payout of hers in
   flight, her available earnings of at least $15 become a `Payout` (pending) and move from
   earnings to "in transit" (`payout:<id>:start`). The Transfers are made by jobs of 50 payouts
   after the commit.
2. `send_many` (the job; `send` for one): with no database transaction open during the calls (an
   advisory lock per payout keeps other senders away), `transfers.create` with the fixed
   idempotency key `payout-<id>` (Stripe answers a repeated key with the first answer;
   StripeClient retries timeouts and 5xx with it).
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
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
import stripe
from flask import current_app

from soulseer import clock
from soulseer.errors import DomainError
from soulseer.extensions import db
from soulseer.ledger import LedgerAccount, LedgerError, accounts, keys, operations, post_many
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
SEND_CHUNK = 50  # Transfers made between two writes: a crash loses at most this many answers (asked again)
SENDING_LOCKS = 0x5041  # the advisory locks' first key: payouts being sent (the second is the payout's id)
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
    _enqueue([p.id for p in made if p.id not in refused])
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


def _enqueue(payout_ids):
    """Jobs for these payouts' Transfers, after the commit: one per SEND_CHUNK, so that a job stays
    well inside RQ's job timeout (180 s) against the real Stripe's few hundred milliseconds a call,
    and two workers share a batch's calls."""
    from soulseer.jobs.payouts import send_payouts

    payout_ids = list(payout_ids)
    for at in range(0, len(payout_ids), SEND_CHUNK):
        after_commit.enqueue(send_payouts, payout_ids[at : at + SEND_CHUNK])


# --- the Transfer ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Sending:
    """What a Transfer call needs of a payout, read before the call (no transaction stays open)."""

    id: int
    user_id: int
    stripe_account_id: str
    amount_cents: int
    created_at: datetime
    attempts: int

    @property
    def transfer_group(self):
        return f"payout_{self.id}"


def send(payout_id, now=None):
    """Make one payout's Transfer (send_many). Returns the payout's status, or None when another
    worker is sending it."""
    return send_many([payout_id], now).get(payout_id)


def send_many(payout_ids, now=None):
    """Make these payouts' Transfers (the job). Returns {payout id: status} of those it sent or found
    already done; a payout another worker is sending is left out (and left alone).

    No database transaction is open during a call to Stripe, and no row lock is held across one:

    1. Each payout is held by a session-level advisory lock (`pg_try_advisory_lock`) on a
       connection of its own outside any transaction: one sender at a time per payout, as the row
       lock did; if this process dies, its connection closes and the lock goes with it.
    2. For a chunk of SEND_CHUNK: a short transaction counts the attempt on the pending ones and
       claims them for CLAIM (the tick re-sends them only after that), then commits.
    3. The calls, one after another, each with the payout's fixed idempotency key.
    4. A short transaction locks the chunk's payouts (FOR UPDATE), and for those still pending
       posts the outcomes in one round trip (post_many), sets their status, stores the
       notifications in one INSERT, and commits; each person's bell is pushed once after.

    A crash between 3 and 4 loses only answers: the payouts stay pending (the attempt counted), the
    tick sends them again once the claim ends, with the same key, and Stripe answers with the
    Transfer it made (from 24 hours on, reconciliation lists it). Never two Transfers: the key (and
    the listing) at Stripe, the pending check under the row lock and the postings' keys here."""
    now = now or clock.now()
    wanted = sorted(set(payout_ids))
    statuses = {}
    with db.engine.connect() as locks:
        locks = locks.execution_options(isolation_level="AUTOCOMMIT")
        try:
            held = locks.execute(
                sa.text("SELECT id FROM unnest(CAST(:ids AS integer[])) AS id WHERE pg_try_advisory_lock(:space, id)"),
                {"ids": wanted, "space": SENDING_LOCKS},
            ).scalars().all()  # fmt: skip
            for at in range(0, len(held), SEND_CHUNK):
                statuses.update(_send_chunk(held[at : at + SEND_CHUNK], now))
        finally:
            locks.execute(sa.text("SELECT pg_advisory_unlock_all()"))
    return statuses


def _send_chunk(payout_ids, now):
    claimed = db.session.execute(
        sa.update(Payout)
        .where(Payout.id.in_(payout_ids), Payout.status == PayoutStatus.PENDING)
        .values(attempts=Payout.attempts + 1, next_attempt_at=now + CLAIM)
        .returning(Payout.id, Payout.user_id, Payout.stripe_account_id, Payout.amount_cents, Payout.created_at,
                   Payout.attempts)
    ).all()  # fmt: skip
    done = dict(db.session.execute(
        sa.select(Payout.id, Payout.status).where(Payout.id.in_(payout_ids), Payout.status != PayoutStatus.PENDING)
    ).all())  # fmt: skip
    db.session.commit()
    sending = sorted((_Sending(*row) for row in claimed), key=lambda payout: payout.id)
    if not sending:
        return done
    outcomes = _transfers(sending, now)
    return {**done, **_record(sending, outcomes, now)}


def _transfers(sending, now):
    """Stripe's answer for each payout, in order: ("paid", transfer id), ("failed", code) or
    ("later", what went wrong). Outside any transaction; one client (one keep-alive connection)."""
    outcomes = []
    try:
        client = connect.client()
    except connect.PayoutsUnavailable as error:
        return [("later", f"{type(error).__name__}: {error}")] * len(sending)
    for payout in sending:
        try:
            transfer = _find_transfer(client, payout) if now - payout.created_at >= RECONCILE_AFTER else None
            if transfer is None:
                transfer = client.v1.transfers.create(
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
            outcomes.append(("failed", refusal.code or "refused"))
        except stripe.StripeError as error:
            # A timeout, a 5xx, a 429, a key problem: nothing is known for sure; the same key later.
            log.warning("Payout %s not sent yet (attempt %s): %s", payout.id, payout.attempts, error)
            outcomes.append(("later", f"{type(error).__name__}: {error}"))
        else:
            outcomes.append(("paid", transfer["id"]))
    return outcomes


def _record(sending, outcomes, now):
    """Keep Stripe's answers: one short transaction for the chunk. Only a payout still pending is
    changed (under its row lock), so an answer kept by another sender is never kept twice."""
    payouts = {
        p.id: p
        for p in db.session.execute(
            sa.select(Payout).where(Payout.id.in_([s.id for s in sending])).order_by(Payout.id).with_for_update()
        ).scalars()
    }
    postings, notes, failed = [], [], []
    link = notifications.path_for("reader.payouts")
    for sent, (outcome, detail) in zip(sending, outcomes, strict=True):
        payout = payouts[sent.id]
        if payout.status != PayoutStatus.PENDING:
            continue
        if outcome == "paid":
            postings.append(_paid(payout, detail, now, notes, link))
        elif outcome == "failed":
            postings.append(_failed(payout, detail, now, notes, link))
            failed.append(payout)
        else:
            delay = RETRY_SECONDS[min(payout.attempts, len(RETRY_SECONDS)) - 1]
            payout.next_attempt_at = now + timedelta(seconds=delay)
            payout.last_error = detail[:500]
    for refused in (r for r in post_many(postings) if isinstance(r, LedgerError)):
        raise refused  # cannot happen (in transit holds the amount); nothing is kept, all sent again
    if failed:
        # Not again today (the platform's balance needs time: card payments stay pending for days);
        # the next daily run tries again, or an admin sends it again from the payouts section.
        db.session.execute(
            sa.update(PayoutAccount).where(PayoutAccount.user_id.in_([p.user_id for p in failed]))
            .values(daily_run_on=now.date())
        )  # fmt: skip
        _alert_admins([p for p in failed if p.failure_code == "balance_insufficient" or
                       p.failure_code not in FAILURE_WORDS], notes)  # fmt: skip
    notifications.notify_many(notes)
    statuses = {payout.id: payout.status for payout in payouts.values()}
    db.session.commit()
    return statuses


def _find_transfer(client, payout):
    """Reconciliation: the Transfer Stripe made for this payout, if any (by its transfer_group)."""
    found = client.v1.transfers.list(params={"transfer_group": payout.transfer_group, "limit": 10})
    for transfer in found.data:
        if transfer["destination"] == payout.stripe_account_id and transfer["amount"] == payout.amount_cents:
            return transfer
    return None


def _paid(payout, transfer_id, now, notes, link):
    """In transit → paid (the Posting returned), she is told (added to `notes`, linking her payouts page)."""
    payout.status, payout.stripe_transfer_id, payout.paid_at = PayoutStatus.PAID, transfer_id, now
    payout.next_attempt_at = payout.last_error = None
    notes.append((
        payout.user_id,
        "payout",
        f"{format_cents(payout.amount_cents)} is on its way: sent to your Stripe account, which pays your bank.",
        link,
    ))  # fmt: skip
    return operations.payout_paid_posting(
        payout.user_id, payout.amount_cents, keys.payout(payout.id, "paid"), ("payout", payout.id)
    )


def _failed(payout, code, now, notes, link):
    """In transit → back to her earnings (the Posting returned), with a reason in her words."""
    payout.status, payout.failed_at, payout.next_attempt_at = PayoutStatus.FAILED, now, None
    payout.failure_code = code
    payout.failure_reason = FAILURE_WORDS.get(code, FAILED_OTHERWISE)
    notes.append((
        payout.user_id,
        "payout",
        f"Your payout of {format_cents(payout.amount_cents)} did not go through. {payout.failure_reason}",
        link,
    ))  # fmt: skip
    return operations.payout_failed_posting(
        payout.user_id, payout.amount_cents, keys.payout(payout.id, "failed"), ("payout", payout.id)
    )


def _alert_admins(payouts, notes):
    """The platform's problem, not hers: every admin is told (and the admin's payouts section shows it)."""
    if not payouts:
        return
    admins = db.session.execute(sa.select(User.id).filter_by(role=Role.ADMIN, status=UserStatus.ACTIVE)).scalars().all()
    link = notifications.path_for("admin.payouts.index", status="failed")
    for payout in payouts:
        text = f"A payout of {format_cents(payout.amount_cents)} failed at Stripe ({payout.failure_code})."
        notes.extend((admin_id, "payout", text, link) for admin_id in admins)


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
    _enqueue([payout.id for payout in due])
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
        if batch:
            db.session.execute(
                sa.update(PayoutAccount).where(PayoutAccount.id.in_([a.id for a in batch])).values(daily_run_on=today)
            )
            start_many(batch, PayoutTrigger.DAILY, now)  # refused: not today (clearing, held, one in flight)
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
