"""Payout jobs: make payouts' Stripe Transfers (services/payouts/sending.py). Idempotent: a paid or
failed payout is left alone, one being sent by another worker too, and each Transfer's idempotency
key is fixed per payout."""

from soulseer.jobs import with_app_context
from soulseer.services.payouts import sending


@with_app_context
def send_payouts(payout_ids):
    """A batch's Transfers (the daily run's, the tick's re-sends, one payout on request)."""
    return sending.send_many(payout_ids)


@with_app_context
def send_payout(payout_id):
    """One payout's Transfer (jobs enqueued before send_payouts existed)."""
    return sending.send(payout_id)
