"""POST /webhooks/stripe/connect: connected accounts' events, signed with the Connect endpoint's
own secret, stored once by event id and applied by the Stripe events job (the real RQ worker).
`account.updated` snapshots arrive many times and out of order; the newest one wins."""

import time

import pytest

from soulseer.models import Notification, PayoutAccount, StripeEvent
from soulseer.services.payouts import connect
from tests.payouts.conftest import CONNECT_SECRET
from tests.support.payouts import deliver_connect, payout_account, run_jobs
from tests.support.stripe_fake import account_snapshot, connect_event, signed_delivery
from tests.support.topups import stored_event

DUE = ["external_account", "individual.dob.day", "tos_acceptance.date"]


@pytest.fixture
def account(connect_app, reader, stripe_api, db):
    """Her account, made through the app (as "Set up payouts" makes it) at the fake."""
    with connect_app.app_context():
        made = connect.ensure_account(reader)
        account_id = made.stripe_account_id
    db.session.expire_all()
    return account_id


def snapshots(account_id, t0):
    """Three snapshots of her onboarding: nothing given, details given (Stripe checking), active."""
    return [
        connect_event("account.updated", account_snapshot(account_id, currently_due=DUE, past_due=DUE), account_id,
                      created=t0),
        connect_event("account.updated", account_snapshot(account_id, transfers="pending", details_submitted=True),
                      account_id, created=t0 + 60),
        connect_event("account.updated", account_snapshot(account_id, transfers="active", payouts_enabled=True,
                                                          details_submitted=True), account_id, created=t0 + 120),
    ]  # fmt: skip


def deliver_all(connect_app, redis, events):
    browser = connect_app.test_client()
    for event in events:
        assert deliver_connect(browser, event, CONNECT_SECRET).status_code == 200
    run_jobs(connect_app, redis)


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 1, 0), (0, 2, 1), (1, 2, 0), (2, 0, 1)])
def test_snapshots_in_any_order_leave_the_newest(connect_app, redis, account, reader, order):
    t0 = int(time.time()) + 10  # after the snapshot the account was made with
    events = snapshots(account, t0)
    for index in order:  # one at a time, each applied before the next arrives
        deliver_all(connect_app, redis, [events[index]])
    stored = payout_account(reader)
    assert stored.active and stored.details_submitted and stored.transfers == "active"
    assert stored.currently_due == [] and stored.status_as_of.timestamp() == t0 + 120
    assert {e.status for e in StripeEvent.query.all()} == {"applied"}


def test_each_snapshot_in_order_moves_her_status(connect_app, redis, account, reader):
    t0 = int(time.time()) + 10
    nothing, given, active = snapshots(account, t0)
    deliver_all(connect_app, redis, [nothing])
    assert connect.status_of(payout_account(reader)) == (
        "setup", ["your bank account", "your date of birth", "accepting Stripe's terms"]
    )  # fmt: skip
    deliver_all(connect_app, redis, [given])
    assert connect.status_of(payout_account(reader)) == ("review", [])
    deliver_all(connect_app, redis, [active])
    assert connect.status_of(payout_account(reader)) == ("active", [])


def test_she_is_told_once_when_payouts_become_active(connect_app, redis, account, reader, db):
    t0 = int(time.time()) + 10
    _, _, active = snapshots(account, t0)
    later = connect_event("account.updated", active["data"]["object"], account, created=t0 + 500)
    deliver_all(connect_app, redis, [active, active, later])
    [told] = db.session.query(Notification).filter_by(user_id=reader.id, kind="payout").all()
    assert "Payouts are active" in told.text and told.link == "/reader/payouts"


def test_an_event_is_stored_and_applied_once_however_often_it_comes(connect_app, redis, account, reader, db):
    _, _, active = snapshots(account, int(time.time()) + 10)
    browser = connect_app.test_client()
    answers = [deliver_connect(browser, active, CONNECT_SECRET).get_json() for _ in range(3)]
    assert [a["duplicate"] for a in answers] == [False, True, True]
    run_jobs(connect_app, redis)
    assert db.session.query(StripeEvent).count() == 1 and stored_event(active["id"]).attempts == 1


def test_two_snapshots_of_the_same_second_are_settled_by_asking_stripe(connect_app, redis, account, reader,
                                                                       stripe_api):  # fmt: skip
    t0 = int(time.time()) + 10
    nothing, _, active = snapshots(account, t0)
    active["created"] = t0
    stripe_api.accounts[account].update(details_submitted=True, payouts_enabled=True,
                                        capabilities={"transfers": "active"})  # fmt: skip
    stripe_api.accounts[account]["requirements"].update(currently_due=[], past_due=[])
    deliver_all(connect_app, redis, [active])
    deliver_all(connect_app, redis, [nothing])  # same second, older in truth: Stripe says active
    assert stripe_api.requests_to("GET", f"/v1/accounts/{account}")
    assert payout_account(reader).active


def test_the_platform_endpoints_secret_does_not_open_the_connect_endpoint(connect_app, account, db):
    _, _, active = snapshots(account, int(time.time()))
    body, headers = signed_delivery(active, connect_app.config["STRIPE_WEBHOOK_SECRET"])
    response = connect_app.test_client().post("/webhooks/stripe/connect", data=body, headers=headers)
    assert response.status_code == 400 and db.session.query(StripeEvent).count() == 0


def test_an_event_without_a_connected_account_is_refused(connect_app, account, db):
    _, _, active = snapshots(account, int(time.time()))
    del active["account"]
    response = deliver_connect(connect_app.test_client(), active, CONNECT_SECRET)
    assert response.status_code == 400 and response.get_json()["error"] == "not a Connect event: no connected account"
    assert db.session.query(StripeEvent).count() == 0


def test_a_stale_signature_is_refused(connect_app, account, db):
    _, _, active = snapshots(account, int(time.time()))
    response = deliver_connect(connect_app.test_client(), active, CONNECT_SECRET, timestamp=time.time() - 600)
    assert response.status_code == 400 and db.session.query(StripeEvent).count() == 0


def test_an_event_about_an_account_we_do_not_know_is_kept_as_failed(connect_app, redis, account, reader):
    stranger = connect_event("account.updated", account_snapshot("acct_1stranger"), "acct_1stranger")
    deliver_all(connect_app, redis, [stranger])
    kept = stored_event(stranger["id"])
    assert kept.status == "failed" and kept.error == "payout account not stored yet (acct_1stranger)"
    assert payout_account(reader).stripe_account_id == account  # hers untouched


def test_a_live_mode_event_on_a_test_key_is_not_applied(connect_app, redis, account, reader):
    _, _, active = snapshots(account, int(time.time()) + 10)
    active["livemode"] = True
    deliver_all(connect_app, redis, [active])
    kept = stored_event(active["id"])
    assert kept.status == "failed" and "livemode" in kept.error
    assert not payout_account(reader).active


def test_an_event_whose_object_is_another_account_is_not_applied(connect_app, redis, account, reader):
    _, _, active = snapshots(account, int(time.time()) + 10)
    active["data"]["object"]["id"] = "acct_1other"
    deliver_all(connect_app, redis, [active])
    assert stored_event(active["id"]).status == "failed"
    assert not payout_account(reader).active


def test_an_event_that_came_before_her_row_is_applied_once_the_row_exists(connect_app, redis, reader, stripe_api,
                                                                          db):  # fmt: skip
    # Stripe's answer to the account's creation, and its account.updated racing our commit: the
    # fake makes the id, so the event is sent after creation and held back from the row here.
    with connect_app.app_context():
        made = connect.ensure_account(reader)
        account_id = made.stripe_account_id
        db.session.delete(made)
        db.session.commit()
    _, _, active = snapshots(account_id, int(time.time()) + 10)
    deliver_all(connect_app, redis, [active])
    assert stored_event(active["id"]).status == "failed"

    with connect_app.app_context():
        connect.ensure_account(reader)  # the same account (Stripe's idempotency key per reader)
    run_jobs(connect_app, redis)
    assert stored_event(active["id"]).status == "applied"
    assert db.session.query(PayoutAccount).one().active
