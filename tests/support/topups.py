"""Helpers for top-up and Stripe webhook tests: signed deliveries, running the real RQ worker,
and reading balances from the ledger. (Clients who can use the site: make_user(consented=True).)"""

import secrets

from rq import Queue, SimpleWorker

from soulseer.extensions import db as database
from soulseer.ledger import LedgerTransaction, accounts, reads
from soulseer.models import StripeEvent, Topup, TopupStatus
from tests.support.stripe_fake import signed_delivery


def deliver(client, event, secret, timestamp=None):
    """POST one event to /webhooks/stripe, signed like Stripe signs it."""
    body, headers = signed_delivery(event, secret, timestamp)
    return client.post("/webhooks/stripe", data=body, headers=headers)


def queued(redis):
    return Queue("default", connection=redis).count


def run_worker(redis):
    """The real RQ worker in burst mode: runs every queued job (and those they enqueue), then stops."""
    SimpleWorker([Queue("default", connection=redis)], connection=redis).work(burst=True)
    database.session.expire_all()


def balance(user):
    database.session.expire_all()
    wallet = accounts.find_wallet(user)
    return reads.account_balance(wallet) if wallet else 0


def pending_topup(user, amount=2500):
    topup = Topup(
        user_id=user.id, amount_cents=amount, status=TopupStatus.PENDING, checkout_session_id=new_session_id()
    )
    database.session.add(topup)
    database.session.commit()
    return topup


def new_session_id():
    return "cs_test_a1" + secrets.token_hex(24)


def stored_event(event_id):
    database.session.expire_all()
    return database.session.get(StripeEvent, event_id)


def transactions(kind=None):
    database.session.expire_all()
    query = database.session.query(LedgerTransaction)
    if kind:
        query = query.filter_by(kind=kind)
    return query.order_by(LedgerTransaction.id).all()
