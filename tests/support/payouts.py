"""Helpers for payouts tests: a reader's earnings made by real sales, Connect events delivered
signed to the Connect endpoint, the Stripe events job run under a given app."""

from datetime import UTC, datetime

from soulseer.extensions import db as database
from soulseer.ledger import keys, operations
from soulseer.models import Payout, PayoutAccount
from soulseer.services import commerce
from soulseer.services.payouts import connect
from tests.conftest import csrf_token_from
from tests.support.stripe_fake import signed_delivery
from tests.support.topups import run_worker

# A day of payouts tests: five minutes into the daily run (14:00 UTC).
DAY = datetime(2026, 11, 10, 14, 5, tzinfo=UTC)
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


def activate(connect_app, stripe_api, user):
    """Her connected account, made through the app and finished at Stripe (the fake)."""
    with connect_app.app_context():
        account = connect.ensure_account(user)
        snapshot = stripe_api.accounts[account.stripe_account_id]
        snapshot.update(details_submitted=True, payouts_enabled=True, capabilities={"transfers": "active"})
        snapshot["requirements"].update(currently_due=[], past_due=[], disabled_reason=None)
        connect.refresh(account)
        return account.stripe_account_id


def page_post(browser, url):
    token = csrf_token_from(browser.get("/reader/payouts").get_data(as_text=True))
    return browser.post(url, data={"csrf_token": token})


def payouts_of(user):
    database.session.expire_all()
    return database.session.query(Payout).filter_by(user_id=user.id).order_by(Payout.id).all()
