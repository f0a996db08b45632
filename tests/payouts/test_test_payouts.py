"""Test payouts: without Stripe keys the payouts area makes the same calls through StripeClient to
the stand-in (services/payouts/stand_in.py), whose TEST onboarding page sends a signed
`account.updated` over real HTTP to our own Connect webhook. Never in production."""

import re

import pytest

from soulseer.config import load_config
from soulseer.models import StripeEvent
from soulseer.services.payouts import connect, stand_in
from tests.conftest import csrf_token_from
from tests.support.payouts import payout_account, run_jobs


def post_with_token(browser, url, base_url, data=None, page="/reader/payouts"):
    token = csrf_token_from(browser.get(page, base_url=base_url).get_data(as_text=True))
    return browser.post(url, data={"csrf_token": token, **(data or {})}, base_url=base_url)


def bank_payout(browser, base_url, outcome):
    """The TEST Stripe dashboard's choice: Stripe's payout to her bank arrives ("paid") or not."""
    return post_with_token(
        browser, "/reader/payouts/test-dashboard/bank-payout", base_url, {"outcome": outcome},
        page="/reader/payouts/test-dashboard",
    )  # fmt: skip


def start(browser, base_url):
    response = post_with_token(browser, "/reader/payouts/setup", base_url)
    assert response.status_code == 303
    location = response.headers["Location"]
    assert re.fullmatch(re.escape(base_url) + r"/reader/payouts/test-onboarding/[\w-]+", location)
    return location.removeprefix(base_url)


def test_a_reader_sets_up_test_payouts_end_to_end(app, db, redis, reader, login, http_server):
    browser = login(app.test_client(), reader)
    page = browser.get("/reader/payouts", base_url=http_server).get_data(as_text=True)
    assert "TEST" in page and "no real money moves" in page

    onboarding = start(browser, http_server)
    account = payout_account(reader)
    assert account.test and account.stripe_account_id.startswith("acct_test_")
    assert stand_in.account(account.stripe_account_id)["capabilities"] == {"transfers": "inactive"}

    html = browser.get(onboarding, base_url=http_server).get_data(as_text=True)
    assert "TEST" in html and "Give every detail (test)" in html and "Leave before the end (test)" in html
    token = csrf_token_from(html)
    done = browser.post(onboarding, data={"csrf_token": token, "outcome": "finish"}, base_url=http_server)
    assert done.status_code == 303 and done.headers["Location"] == f"{http_server}/reader/payouts/stripe/return"

    # The signed event came over HTTP to the Connect endpoint, was stored and is applied by the job.
    [event] = db.session.query(StripeEvent).all()
    assert event.type == "account.updated" and event.payload["account"] == account.stripe_account_id
    run_jobs(app, redis)
    assert payout_account(reader).active

    back = browser.get("/reader/payouts/stripe/return", base_url=http_server)
    assert back.headers["Location"] == "/reader/payouts"
    page = browser.get("/reader/payouts", base_url=http_server).get_data(as_text=True)
    assert "Payouts active" in page

    dashboard = post_with_token(browser, "/reader/payouts/dashboard", http_server)
    assert dashboard.status_code == 303 and dashboard.headers["Location"].endswith("/reader/payouts/test-dashboard")
    shown = browser.get("/reader/payouts/test-dashboard", base_url=http_server).get_data(as_text=True)
    assert "TEST" in shown and "No transfers yet." in shown


def test_leaving_early_keeps_what_stripe_still_needs(app, db, reader, login, http_server):
    browser = login(app.test_client(), reader)
    onboarding = start(browser, http_server)
    token = csrf_token_from(browser.get(onboarding, base_url=http_server).get_data(as_text=True))
    browser.post(onboarding, data={"csrf_token": token, "outcome": "leave"}, base_url=http_server)
    browser.get("/reader/payouts/stripe/return", base_url=http_server)
    page = browser.get("/reader/payouts", base_url=http_server).get_data(as_text=True)
    assert "Finish setup" in page and "your bank account" in page
    assert db.session.query(StripeEvent).count() == 0


def test_an_onboarding_link_works_once(app, reader, login, http_server):
    browser = login(app.test_client(), reader)
    onboarding = start(browser, http_server)
    token = csrf_token_from(browser.get(onboarding, base_url=http_server).get_data(as_text=True))
    browser.post(onboarding, data={"csrf_token": token, "outcome": "leave"}, base_url=http_server)
    again = browser.get(onboarding, base_url=http_server)
    assert again.status_code == 302 and again.headers["Location"] == "/reader/payouts/stripe/refresh"
    fresh = browser.get("/reader/payouts/stripe/refresh", base_url=http_server)
    assert fresh.status_code == 303 and "/reader/payouts/test-onboarding/" in fresh.headers["Location"]
    assert fresh.headers["Location"].removeprefix(http_server) != onboarding


def test_another_readers_onboarding_link_is_not_found(app, reader, make_user, login, http_server):
    onboarding = start(login(app.test_client(), reader), http_server)
    other = login(app.test_client(), make_user(role="reader", consented=True))
    post_with_token(other, "/reader/payouts/setup", http_server)  # she has her own account
    assert other.get(onboarding, base_url=http_server).status_code == 404
    assert other.get("/reader/payouts/test-onboarding/made-up", base_url=http_server).status_code == 302


def test_the_test_pages_do_not_exist_with_stripe_keys(connect_app, reader, login, stripe_api):
    browser = login(connect_app.test_client(), reader)
    assert browser.get("/reader/payouts/test-dashboard").status_code == 404
    assert browser.get("/reader/payouts/test-onboarding/anything").status_code == 404


def test_test_payouts_are_impossible_in_production(app, monkeypatch):
    production = {"SOULSEER_ENV": "production", "DATABASE_URL": "postgresql://x/y", "REDIS_URL": "redis://x:1/0",
                  "SECRET_KEY": "k"}  # fmt: skip
    config = load_config(production)
    assert config["STRIPE_CONNECT_WEBHOOK_SECRET"] == ""  # no local secret to sign test events with
    for name in ("ENV_PRODUCTION", "TEST_PAYMENTS_ENABLED", "STRIPE_SECRET_KEY"):
        monkeypatch.setitem(app.config, name, config[name])
    with app.app_context():
        assert not connect.testing() and not connect.available()
        with pytest.raises(connect.PayoutsUnavailable):
            connect.client()


def test_production_with_stripe_needs_the_connect_secret(tmp_path):
    from soulseer.config import ConfigError

    production = {"SOULSEER_ENV": "production", "DATABASE_URL": "postgresql://x/y", "REDIS_URL": "redis://x:1/0",
                  "SECRET_KEY": "k", "STRIPE_SECRET_KEY": "sk_live_x", "STRIPE_WEBHOOK_SECRET": "whsec_x"}  # fmt: skip
    with pytest.raises(ConfigError, match="STRIPE_CONNECT_WEBHOOK_SECRET"):
        load_config(production, instance_path=tmp_path)
    config = load_config({**production, "STRIPE_CONNECT_WEBHOOK_SECRET": "whsec_c"}, instance_path=tmp_path)
    assert config["STRIPE_CONNECT_WEBHOOK_SECRET"] == "whsec_c"


def test_without_stripe_in_production_the_page_says_payouts_are_not_available(app, db, reader, login, monkeypatch):
    monkeypatch.setitem(app.config, "ENV_PRODUCTION", True)
    monkeypatch.setitem(app.config, "TEST_PAYMENTS_ENABLED", False)
    browser = login(app.test_client(), reader)
    page = browser.get("/reader/payouts").get_data(as_text=True)
    assert "Payouts are not available right now." in page and "TEST" not in page
    assert '<button type="submit" class="button button-primary">Set up payouts</button>' not in page
    token = csrf_token_from(page)
    assert browser.post("/reader/payouts/setup", data={"csrf_token": token}).status_code == 503


def test_pay_me_now_with_test_payouts_makes_a_test_transfer(app, db, redis, reader, make_user, login, http_server):
    from datetime import timedelta

    from soulseer import clock
    from tests.support.payouts import earn, payouts_of

    buyer = make_user(role="client", consented=True)
    with clock.frozen(clock.now() - timedelta(days=4)):
        earn(buyer, reader, 3000)
    browser = login(app.test_client(), reader)
    onboarding = start(browser, http_server)
    token = csrf_token_from(browser.get(onboarding, base_url=http_server).get_data(as_text=True))
    browser.post(onboarding, data={"csrf_token": token, "outcome": "finish"}, base_url=http_server)
    browser.get("/reader/payouts/stripe/return", base_url=http_server)

    assert post_with_token(browser, "/reader/payouts/now", http_server).status_code == 303
    run_jobs(app, redis)
    [payout] = payouts_of(reader)
    account_id = payout_account(reader).stripe_account_id
    [transfer] = stand_in.transfers(destination=account_id)
    assert payout.status == "paid" and payout.test and payout.stripe_transfer_id == transfer["id"]
    assert transfer["amount"] == 2100 and stand_in.balance() == stand_in.TEST_BALANCE - 2100
    page = browser.get("/reader/payouts", base_url=http_server).get_data(as_text=True)
    assert "Sent to your Stripe account (TEST)" in page
    shown = browser.get("/reader/payouts/test-dashboard", base_url=http_server).get_data(as_text=True)
    assert transfer["id"] in shown and "+$21.00" in shown

    # Stripe paying her bank (PO-11): the TEST dashboard sends the signed Connect event Stripe sends.
    refused = bank_payout(browser, http_server, "failed")
    assert refused.status_code == 303
    run_jobs(app, redis)
    [event] = db.session.query(StripeEvent).filter_by(type="payout.failed").all()
    assert event.payload["account"] == account_id and event.payload["data"]["object"]["amount"] == 2100
    page = browser.get("/reader/payouts", base_url=http_server).get_data(as_text=True)
    assert "Stripe could not pay your bank: the bank account is closed." in page
    arrived = bank_payout(browser, http_server, "paid")
    assert arrived.status_code == 303
    run_jobs(app, redis)
    page = browser.get("/reader/payouts", base_url=http_server).get_data(as_text=True)
    assert "Stripe could not pay your bank" not in page
    assert db.session.query(StripeEvent).filter_by(type="payout.paid").count() == 1


def test_a_test_bank_payout_needs_a_transfer_first(app, db, reader, login, http_server):
    browser = login(app.test_client(), reader)
    onboarding = start(browser, http_server)
    token = csrf_token_from(browser.get(onboarding, base_url=http_server).get_data(as_text=True))
    browser.post(onboarding, data={"csrf_token": token, "outcome": "finish"}, base_url=http_server)
    answer = bank_payout(browser, http_server, "paid")
    assert answer.status_code == 409
    assert "Nothing has been transferred to your Stripe account yet." in answer.get_data(as_text=True)
    assert db.session.query(StripeEvent).filter(StripeEvent.type.like("payout.%")).count() == 0
