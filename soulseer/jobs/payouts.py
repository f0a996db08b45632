"""Payout jobs: make one payout's Stripe Transfer (services/payouts/transfers.py). Idempotent: a
paid or failed payout is left alone, and the Transfer's idempotency key is fixed per payout."""

from soulseer.jobs import with_app_context
from soulseer.services.payouts import transfers


@with_app_context
def send_payout(payout_id):
    return transfers.send(payout_id)
