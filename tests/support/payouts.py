"""Helpers for payouts tests: a reader's earnings made by real sales, Connect events delivered
signed to the Connect endpoint, the Stripe events job run under a given app."""

from soulseer.extensions import db as database
from soulseer.ledger import keys, operations
from soulseer.models import PayoutAccount
from soulseer.services import commerce
from tests.support.stripe_fake import signed_delivery
from tests.support.topups import run_worker

_sales = {"n": 0}


def earn(client_user, reader, amount, reference=None):
    """A client buys something of the reader's for `amount` cents from a wallet topped up for it:
    the reader's share lands in her earnings (at the clock's time). Returns her part."""
    _sales["n"] += 1
    n = _sales["n"]
    operations.credit_topup(client_user, amount, keys.topup(f"cs_test_earn_{n}"), ("topup", n))
    sale = commerce.charge(client_user, reader, amount, f"test-sale:{n}", reference or ("sale", n), "A reading")
    database.session.commit()
    return sale.to_reader


def deliver_connect(client, event, secret, timestamp=None):
    """POST one Connect event to /webhooks/stripe/connect, signed like Stripe signs it."""
    body, headers = signed_delivery(event, secret, timestamp)
    return client.post("/webhooks/stripe/connect", data=body, headers=headers)


def run_jobs(app, redis):
    """The real RQ worker, inside `app` (its Stripe configuration), until the queue is empty."""
    with app.app_context():
        run_worker(redis)
        database.session.remove()
    database.session.expire_all()


def payout_account(user):
    database.session.expire_all()
    return database.session.query(PayoutAccount).filter_by(user_id=user.id).one_or_none()
