"""Sending payouts: one Stripe Transfer per payout that can never be made twice (docs/payouts.md,
"Payouts"). The payouts themselves are made by `transfers` (start, start_many, the daily run);
this module makes their Transfers and keeps Stripe's answers.

`send_many` (the job; `send` for one): with no database transaction open during the calls (an
advisory lock per payout keeps other senders away), `transfers.create` with the fixed idempotency
key `payout-<id>` (Stripe answers a repeated key with the first answer; StripeClient retries
timeouts and 5xx with it).
Success: in transit → paid (`payout:<id>:paid`). A definite refusal (4xx: the platform's balance,
her account): in transit → back to earnings (`payout:<id>:failed`) with a reason in plain words.
Anything else (timeout, 5xx, 429): the payout stays pending and the tick sends it again later with
the same key. From 24 hours on (Stripe may have forgotten the key), every attempt first lists
Stripe's transfers of the payout's `transfer_group` and takes the one it finds: the payout is
never paid twice.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
import stripe
from flask import current_app

from soulseer import clock
from soulseer.extensions import db
from soulseer.ledger import LedgerError, keys, operations, post_many
from soulseer.models import Payout, PayoutAccount, PayoutStatus, Role, User, UserStatus
from soulseer.money import format_cents
from soulseer.services.core import after_commit, notifications
from soulseer.services.payouts import connect

log = logging.getLogger(__name__)

RETRY_SECONDS = (60, 300, 1800)  # after a timeout or a 5xx: 1 min, 5 min, then every 30 min
RECONCILE_AFTER = timedelta(hours=24)  # Stripe may prune idempotency keys after 24 hours
SEND_CHUNK = 50  # Transfers made between two writes: a crash loses at most this many answers (asked again)
SENDING_LOCKS = 0x5041  # the advisory locks' first key: payouts being sent (the second is the payout's id)
CLAIM = timedelta(minutes=5)  # a sender's (or the tick's) claim on a payout: nobody sends it again before

# Why a payout failed, in her words (Stripe's error codes on transfers.create).
FAILURE_WORDS = {
    "balance_insufficient": "SoulSeer's Stripe balance could not cover it just now. Your earnings are back and "
    "will be sent again with the next daily payout.",
    "insufficient_capabilities_for_transfer": "Your Stripe account cannot receive payouts yet: finish your setup "
    "with Stripe.",
    "account_invalid": "Your Stripe account cannot receive payouts: open your Stripe dashboard to see why.",
}
FAILED_OTHERWISE = "Stripe refused it. Your earnings are back; our team has been told."


def transfer_key(payout):
    """Stripe's idempotency key for this payout's Transfer: fixed, so a retry never pays twice."""
    return f"payout-{payout.id}"


def enqueue(payout_ids):
    """Jobs for these payouts' Transfers, after the commit: one per SEND_CHUNK, so that a job stays
    well inside RQ's job timeout (180 s) against the real Stripe's few hundred milliseconds a call,
    and two workers share a batch's calls."""
    from soulseer.jobs.payouts import send_payouts

    payout_ids = list(payout_ids)
    for at in range(0, len(payout_ids), SEND_CHUNK):
        after_commit.enqueue(send_payouts, payout_ids[at : at + SEND_CHUNK])


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
