"""Setting up payouts with Stripe keys: an Express connected account (transfers only, one per
reader), Stripe's hosted onboarding through account links, and the return page that asks Stripe
before it says anything. Against the loopback fake of Stripe's API (tests/support/stripe_fake.py)."""

import pytest

from soulseer.models import AuditEntry, PayoutAccount
from tests.conftest import csrf_token_from
from tests.support.payouts import payout_account


def post_with_token(browser, url, data=None, page="/reader/payouts"):
    token = csrf_token_from(browser.get(page).get_data(as_text=True))
    return browser.post(url, data={"csrf_token": token, **(data or {})})


@pytest.fixture
def browser(connect_app, reader, login):
    return login(connect_app.test_client(), reader)


def test_set_up_payouts_creates_an_express_account_for_transfers_only_and_opens_stripes_onboarding(
    browser, stripe_api, db, reader
):
    page = browser.get("/reader/payouts").get_data(as_text=True)
    assert "Set up payouts" in page and "SoulSeer never sees your bank details" in page
    assert "TEST" not in page  # real Stripe: no test notice

    response = post_with_token(browser, "/reader/payouts/setup")

    [created] = stripe_api.requests_to("POST", "/v1/accounts")
    assert created.headers["Idempotency-Key"] == f"connect-account:{reader.id}"
    assert created.form["country"] == "US"
    assert created.form["controller[stripe_dashboard][type]"] == "express"
    assert created.form["controller[fees][payer]"] == "application"
    assert created.form["controller[losses][payments]"] == "application"
    assert created.form["controller[requirement_collection]"] == "stripe"
    assert created.form["capabilities[transfers][requested]"] == "true"
    assert not any(name.startswith("capabilities[card_payments]") for name in created.form)
    assert created.form["metadata[user_id]"] == str(reader.id)

    account = payout_account(reader)
    assert account.stripe_account_id in stripe_api.accounts and account.test is False
    assert not account.active and account.transfers == "inactive"

    [link] = stripe_api.requests_to("POST", "/v1/account_links")
    assert link.form == {
        "account": account.stripe_account_id,
        "type": "account_onboarding",
        "return_url": "http://localhost/reader/payouts/stripe/return",
        "refresh_url": "http://localhost/reader/payouts/stripe/refresh",
    }
    assert response.status_code == 303
    assert response.headers["Location"].startswith(f"https://connect.stripe.com/setup/e/{account.stripe_account_id}/")
    assert db.session.query(AuditEntry).filter_by(action="payouts.account_created").count() == 1


def test_a_second_tap_makes_a_new_link_for_the_same_account(browser, stripe_api, reader):
    first = post_with_token(browser, "/reader/payouts/setup").headers["Location"]
    second = post_with_token(browser, "/reader/payouts/setup").headers["Location"]

    assert len(stripe_api.requests_to("POST", "/v1/accounts")) == 1
    assert len(stripe_api.requests_to("POST", "/v1/account_links")) == 2
    assert first != second  # links are single-use: each tap mints its own
    assert len(stripe_api.accounts) == 1


def test_the_return_page_asks_stripe_and_says_in_plain_words_what_is_still_needed(browser, stripe_api, reader):
    post_with_token(browser, "/reader/payouts/setup")
    account_id = payout_account(reader).stripe_account_id

    back = browser.get("/reader/payouts/stripe/return")

    assert stripe_api.requests_to("GET", f"/v1/accounts/{account_id}")
    assert back.status_code == 303 and back.headers["Location"] == "/reader/payouts"
    page = browser.get("/reader/payouts").get_data(as_text=True)
    assert "Stripe still needs 4 things from you to pay you." in page  # the flash
    assert "Finish setup" in page and "Payouts active" not in page
    for phrase in ("your bank account", "your Social Security number", "your date of birth", "accepting Stripe"):
        assert phrase in page
    assert "external_account" not in page  # Stripe's names never reach her

    # She finishes at Stripe; the return page reads it from Stripe, not from the visit.
    stripe_api.accounts[account_id].update(
        details_submitted=True, payouts_enabled=True, capabilities={"transfers": "active"}
    )
    stripe_api.accounts[account_id]["requirements"].update(currently_due=[], past_due=[], disabled_reason=None)
    browser.get("/reader/payouts/stripe/return")
    page = browser.get("/reader/payouts").get_data(as_text=True)
    assert "Payouts active" in page and "Open your Stripe dashboard" in page
    assert payout_account(reader).active


def test_payouts_are_active_only_when_transfers_are_active_and_payouts_enabled(browser, stripe_api, reader):
    post_with_token(browser, "/reader/payouts/setup")
    account_id = payout_account(reader).stripe_account_id
    snapshot = stripe_api.accounts[account_id]
    snapshot.update(details_submitted=True, payouts_enabled=False, capabilities={"transfers": "active"})
    snapshot["requirements"].update(currently_due=[], past_due=[], disabled_reason=None)

    browser.get("/reader/payouts/stripe/return")
    page = browser.get("/reader/payouts").get_data(as_text=True)
    assert "Payouts active" not in page and "Stripe is checking your details" in page

    snapshot.update(payouts_enabled=True, capabilities={"transfers": "pending"})
    browser.get("/reader/payouts/stripe/return")
    assert "Payouts active" not in browser.get("/reader/payouts").get_data(as_text=True)


def test_the_refresh_url_mints_a_new_link(browser, stripe_api, reader):
    post_with_token(browser, "/reader/payouts/setup")
    response = browser.get("/reader/payouts/stripe/refresh")
    assert response.status_code == 303 and response.headers["Location"].startswith("https://connect.stripe.com/")
    assert len(stripe_api.requests_to("POST", "/v1/account_links")) == 2


def test_the_return_and_refresh_pages_without_an_account_go_back_to_payouts(browser, stripe_api):
    assert browser.get("/reader/payouts/stripe/return").headers["Location"] == "/reader/payouts"
    assert browser.get("/reader/payouts/stripe/refresh").headers["Location"] == "/reader/payouts"
    assert stripe_api.requests == []


def test_stripe_down_at_setup_says_so_and_keeps_nothing(browser, stripe_api, db, reader):
    stripe_api.fail_with = (500, "api_error", "Something went wrong on Stripe's end.")
    response = post_with_token(browser, "/reader/payouts/setup")
    assert response.status_code == 503
    assert "We could not reach Stripe just now" in response.get_data(as_text=True)
    assert db.session.query(PayoutAccount).count() == 0


def test_the_express_dashboard_opens_through_a_login_link_once_details_are_in(browser, stripe_api, reader):
    post_with_token(browser, "/reader/payouts/setup")
    account_id = payout_account(reader).stripe_account_id

    refused = post_with_token(browser, "/reader/payouts/dashboard")
    assert refused.status_code == 409 and "Finish setting up payouts first" in refused.get_data(as_text=True)
    assert stripe_api.requests_to("POST", f"/v1/accounts/{account_id}/login_links") == []

    stripe_api.accounts[account_id].update(details_submitted=True)
    browser.get("/reader/payouts/stripe/return")
    opened = post_with_token(browser, "/reader/payouts/dashboard")
    assert opened.status_code == 303
    assert opened.headers["Location"].startswith(f"https://connect.stripe.com/express/{account_id}/")


def test_payouts_are_the_readers_own(connect_app, make_user, login, stripe_api):
    client_user = make_user(role="client", consented=True)
    assert login(connect_app.test_client(), client_user).get("/reader/payouts").status_code == 403
    visitor = connect_app.test_client().get("/reader/payouts")
    assert visitor.status_code == 302 and "/sign-in" in visitor.headers["Location"]


def test_setup_is_rate_limited(browser, stripe_api):
    statuses = [post_with_token(browser, "/reader/payouts/setup").status_code for _ in range(11)]
    assert statuses[:10] == [303] * 10 and statuses[10] == 429


def test_her_payout_account_is_in_export_my_data(browser, stripe_api, reader):
    assert browser.get("/account/export").get_json()["payout_account"] is None
    post_with_token(browser, "/reader/payouts/setup")
    exported = browser.get("/account/export").get_json()["payout_account"]
    assert exported["stripe_account_id"] == payout_account(reader).stripe_account_id
    assert exported["payouts_enabled"] is False and "your bank account" in exported["still_needed"]


def test_two_taps_at_the_same_moment_make_one_account(connect_app, stripe_api, reader, db):
    """Her row is locked while the account is made: two requests at once (each on its own database
    connection) ask Stripe once and keep one account."""
    import threading

    from soulseer.extensions import db as database
    from soulseer.models import User
    from soulseer.services.payouts import connect

    barrier, made, reader_id = threading.Barrier(2), [None, None], reader.id

    def tap(index):
        with connect_app.app_context():
            try:
                barrier.wait()
                made[index] = connect.ensure_account(database.session.get(User, reader_id)).stripe_account_id
            finally:
                database.session.remove()

    threads = [threading.Thread(target=tap, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert made[0] is not None and made[0] == made[1]
    assert len(stripe_api.requests_to("POST", "/v1/accounts")) == 1
    assert db.session.query(PayoutAccount).filter_by(user_id=reader_id).count() == 1
