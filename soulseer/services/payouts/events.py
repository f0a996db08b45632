"""Stripe's news about payouts after the Transfer (docs/payouts.md): a Transfer reversed (the platform
endpoint's `transfer.reversed`), and Stripe's payouts from her Stripe balance to her bank (the
Connect endpoint's `payout.failed` / `payout.paid` on her account). Applied by the Stripe events job,
once per event."""

import sqlalchemy as sa

from soulseer import clock
from soulseer.extensions import db
from soulseer.ledger import keys, operations, reads
from soulseer.models import Payout, PayoutAccount
from soulseer.money import format_cents
from soulseer.services.core import audit, notifications
from soulseer.services.payments.stripe_events import NotApplicable

# Stripe's bank payout failure codes, as what she can do about them.
BANK_FAILURE_WORDS = {
    "account_closed": "the bank account is closed",
    "account_frozen": "the bank account is frozen",
    "bank_account_restricted": "the bank account does not accept these payments",
    "bank_ownership_changed": "the bank account has a new owner",
    "could_not_process": "the bank could not process it",
    "debit_not_authorized": "the bank refused it",
    "insufficient_funds": "Stripe's balance for you could not cover it",
    "invalid_account_number": "the account number is wrong",
    "invalid_currency": "the bank account cannot take US dollars",
    "no_account": "the bank account does not exist",
    "unsupported_card": "the debit card cannot take payouts",
}


def on_transfer_reversed(event):
    """A paid payout's Transfer was reversed (by an admin in Stripe's dashboard, or Stripe): each
    reversal goes back to her earnings once (key `transfer-reversal:<trr id>`), audit-logged."""
    transfer = event.data_object
    payout = db.session.execute(
        sa.select(Payout).filter_by(stripe_transfer_id=transfer.get("id")).with_for_update()
    ).scalar_one_or_none()
    if payout is None:
        raise NotApplicable(f"no payout made transfer {transfer.get('id')}")
    for reversal in (transfer.get("reversals") or {}).get("data") or []:
        key = keys.transfer_reversal(reversal["id"])
        amount = min(int(reversal.get("amount") or 0), payout.amount_cents - payout.reversed_cents)
        if reads.posted(key) is not None or amount <= 0:
            continue
        operations.payout_reversed(payout.user_id, amount, key, ("payout", payout.id))
        payout.reversed_cents += amount
        audit.record(
            None,
            "payouts.transfer_reversed",
            payout.user,
            after={
                "payout": payout.id,
                "transfer": transfer.get("id"),
                "reversal": reversal["id"],
                "amount_cents": amount,
            },
            reason=f"Stripe reversed {format_cents(amount)} of payout {payout.id}",
        )
        notifications.notify(
            payout.user_id,
            "payout",
            f"{format_cents(amount)} of a payout came back from your Stripe account: it is in your earnings again.",
            link=notifications.path_for("reader.payouts"),
        )


def _her_account(event):
    account = db.session.execute(
        sa.select(PayoutAccount).filter_by(stripe_account_id=event.payload.get("account")).with_for_update()
    ).scalar_one_or_none()
    if account is None:
        raise NotApplicable(f"no payout account {event.payload.get('account')}")
    return account


def bank_failure_words(code):
    return BANK_FAILURE_WORDS.get(code, "the bank refused it")


def on_bank_payout_failed(event):
    """Stripe could not pay her bank. No ledger line changes: the money is in her Stripe balance,
    not ours. She is told how to fix it; Stripe tries again once her details are right."""
    account = _her_account(event)
    bank_payout = event.data_object
    account.bank_failure_code = bank_payout.get("failure_code") or "could_not_process"
    account.bank_failure_at = clock.now()
    notifications.notify(
        account.user_id,
        "payout",
        f"Stripe could not pay {format_cents(int(bank_payout.get('amount') or 0))} into your bank: "
        f"{bank_failure_words(account.bank_failure_code)}. Update your bank details in your Stripe dashboard.",
        link=notifications.path_for("reader.payouts"),
    )


def on_bank_payout_paid(event):
    """Stripe's payout reached her bank: only news."""
    account = _her_account(event)
    account.bank_failure_code = account.bank_failure_at = None
    notifications.notify(
        account.user_id,
        "payout",
        f"{format_cents(int(event.data_object.get('amount') or 0))} arrived at your bank from Stripe.",
        link=notifications.path_for("reader.payouts"),
    )
