"""Starting a top-up: Stripe Checkout through StripeClient against a loopback fake of Stripe's API,
and test payments, whose TEST checkout sends a signed event over real HTTP to our own webhook.
The wallet is credited only by the webhook's job (the real RQ worker)."""

import re

import pytest

from soulseer import create_app
from soulseer.extensions import db as database
from soulseer.models import StripeEvent, Topup
from tests.conftest import IsolatedClient, csrf_token_from
from tests.support.stripe_fake import API_KEY, checkout_session, event
from tests.support.topups import balance, deliver, queued, run_worker, stored_event, transactions


def post_with_token(client, url, data, page="/wallet/topups/new", **kwargs):
    token = csrf_token_from(client.get(page, **kwargs).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data}, **kwargs)


# --- Stripe Checkout (the loopback fake) -------------------------------------------------------


@pytest.fixture
def stripe_app(app, stripe_api):
    configured = create_app(
        {
            "TESTING": True,
            "STRIPE_SECRET_KEY": API_KEY,
            "STRIPE_API_BASE": stripe_api.url,
            "STRIPE_WEBHOOK_SECRET": "whsec_test_endpoint_secret",
            "TEST_PAYMENTS_ENABLED": False,
        }
    )
    configured.test_client_class = IsolatedClient
    return configured


@pytest.fixture
def buyer(make_user):
    return make_user(role="client", email="mira@example.test", consented=True)


def test_a_top_up_opens_a_stripe_checkout_session_with_what_stripe_needs(stripe_app, stripe_api, db, redis, buyer,
                                                                          login):  # fmt: skip
    browser = login(stripe_app.test_client(), buyer)
    response = post_with_token(browser, "/wallet/topups", {"preset": "2500"})

    [request] = stripe_api.requests
    assert (request.method, request.path) == ("POST", "/v1/checkout/sessions")
    assert request.headers["Authorization"] == f"Bearer {API_KEY}"
    db.session.expire_all()
    topup = db.session.query(Topup).one()
    assert request.form == {
        "mode": "payment",
        "line_items[0][quantity]": "1",
        "line_items[0][price_data][currency]": "usd",
        "line_items[0][price_data][unit_amount]": "2500",
        "line_items[0][price_data][product_data][name]": "SoulSeer wallet top-up",
        "client_reference_id": str(buyer.id),
        "customer_email": "mira@example.test",
        "metadata[topup_id]": str(topup.id),
        "payment_intent_data[metadata][topup_id]": str(topup.id),
        "success_url": f"http://localhost/wallet/topups/{topup.id}",
        "cancel_url": request.form["cancel_url"],
    }
    # Back to the wallet page (or the top-up form until the wallet page exists).
    assert request.form["cancel_url"] in ("http://localhost/wallet", "http://localhost/wallet/topups/new")
    assert request.headers["Idempotency-Key"] == f"soulseer-topup-{topup.id}"
    assert request.headers["Stripe-Version"]

    # The browser goes to Stripe's page; the top-up waits, pending, for the webhook.
    [session_id] = stripe_api.sessions
    assert response.status_code == 303
    assert response.headers["Location"] == stripe_api.sessions[session_id]["url"]
    assert (topup.status, topup.checkout_session_id, topup.amount_cents) == ("pending", session_id, 2500)
    assert balance(buyer) == 0
    # The page's CSP lets the form lead to Stripe Checkout (browsers apply form-action to redirects).
    csp = browser.get("/wallet/topups/new").headers["Content-Security-Policy"]
    assert "form-action 'self' https://checkout.stripe.com" in csp

    # Coming back before the webhook: processing. Then Stripe's signed event credits the wallet.
    page = browser.get(f"/wallet/topups/{topup.id}").get_data(as_text=True)
    assert "Processing your payment" in page
    session = checkout_session(session_id, 2500, buyer.id, topup.id, "paid", "pi_test_77")
    paid = event("checkout.session.completed", session)
    assert deliver(stripe_app.test_client(), paid, "whsec_test_endpoint_secret").status_code == 200
    run_worker(redis)
    assert stored_event(paid["id"]).status == "applied"
    assert balance(buyer) == 2500
    page = browser.get(f"/wallet/topups/{topup.id}").get_data(as_text=True)
    assert "$25.00 added to your wallet" in page


def test_when_stripe_refuses_the_client_is_told_and_nothing_is_charged(stripe_app, stripe_api, db, buyer, login):
    stripe_api.fail_with = (400, "invalid_request_error", "This account cannot accept payments yet.")
    browser = login(stripe_app.test_client(), buyer)
    response = post_with_token(browser, "/wallet/topups", {"custom_amount": "40"})
    assert response.status_code == 422
    assert "We could not open the payment page" in response.get_data(as_text=True)
    db.session.expire_all()
    topup = db.session.query(Topup).one()
    assert (topup.status, topup.amount_cents, topup.checkout_session_id) == ("failed", 4000, None)
    assert balance(buyer) == 0


def test_there_is_no_test_checkout_when_stripe_is_configured(stripe_app, db, buyer, login):
    topup = Topup(user_id=buyer.id, amount_cents=2500, checkout_session_id="cs_test_x")
    db.session.add(topup)
    db.session.commit()
    browser = login(stripe_app.test_client(), buyer)
    assert browser.get(f"/wallet/test-checkout/{topup.id}").status_code == 404
    assert "TEST" not in browser.get("/wallet/topups/new").get_data(as_text=True)


def test_test_payments_are_impossible_in_production(app):
    from soulseer.config import ConfigError, load_config

    production = {"SOULSEER_ENV": "production", "DATABASE_URL": "postgresql://x/y", "REDIS_URL": "redis://x:1/0",
                  "SECRET_KEY": "k"}  # fmt: skip
    assert load_config(production)["TEST_PAYMENTS_ENABLED"] is False
    assert load_config(production)["STRIPE_WEBHOOK_SECRET"] == ""  # no local secret to sign with
    with pytest.raises(ConfigError, match="STRIPE_WEBHOOK_SECRET"):
        load_config({**production, "STRIPE_SECRET_KEY": "sk_live_x"})


# --- test payments: the TEST checkout sends its event over HTTP to our own webhook -------------


def start_test_topup(browser, base_url, amount="2500"):
    response = post_with_token(browser, "/wallet/topups", {"preset": amount}, base_url=base_url)
    assert response.status_code == 303
    checkout = response.headers["Location"]
    assert re.fullmatch(r"/wallet/test-checkout/\d+", checkout)
    return checkout


def test_a_test_payment_goes_through_the_webhook_and_the_worker(app, db, redis, buyer, login, http_server):
    browser = login(app.test_client(), buyer)
    checkout = start_test_topup(browser, http_server)
    page = browser.get(checkout, base_url=http_server)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "TEST" in html and "no real money moves" in html and "$25.00" in html
    assert "Pay (test)" in html and "Payment fails (test)" in html

    token = csrf_token_from(html)
    response = browser.post(checkout, data={"csrf_token": token, "outcome": "paid"}, base_url=http_server)
    db.session.expire_all()
    topup = db.session.query(Topup).one()
    assert response.status_code == 303 and response.headers["Location"] == f"/wallet/topups/{topup.id}"

    # The event came in over HTTP, was verified with the local secret, stored, and queued.
    [received] = db.session.query(StripeEvent).all()
    assert received.type == "checkout.session.completed" and received.status == "received"
    assert received.payload["data"]["object"]["id"] == topup.checkout_session_id
    assert received.payload["data"]["object"]["client_reference_id"] == str(buyer.id)
    assert queued(redis) == 1 and balance(buyer) == 0

    waiting = browser.get(f"/wallet/topups/{topup.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Processing your payment" in waiting and 'hx-trigger="every 2s"' in waiting

    run_worker(redis)
    assert balance(buyer) == 2500
    done = browser.get(f"/wallet/topups/{topup.id}", headers={"HX-Request": "true"})
    fragment = done.get_data(as_text=True)
    assert "$25.00 added to your wallet" in fragment and "$25.00</strong>" in fragment
    assert "hx-trigger" not in fragment  # finished: the polling stops
    assert "<html" not in fragment and done.headers["Cache-Control"] == "no-store"
    [credit] = transactions()
    assert credit.idempotency_key == f"topup:{topup.checkout_session_id}"

    # Once paid, the TEST checkout only points back to the result.
    again = browser.get(checkout, base_url=http_server)
    assert again.status_code == 303 and again.headers["Location"] == f"/wallet/topups/{topup.id}"


def test_a_double_click_on_pay_credits_once(app, db, redis, buyer, login, http_server):
    browser = login(app.test_client(), buyer)
    checkout = start_test_topup(browser, http_server, "1000")
    token = csrf_token_from(browser.get(checkout, base_url=http_server).get_data(as_text=True))
    for _ in range(2):  # both before the worker ran: two events for one Checkout Session
        browser.post(checkout, data={"csrf_token": token, "outcome": "paid"}, base_url=http_server)
    assert database.session.query(StripeEvent).count() == 2
    run_worker(redis)
    assert balance(buyer) == 1000 and len(transactions()) == 1


def test_a_failing_test_payment_marks_the_top_up_failed(app, db, redis, buyer, login, http_server):
    browser = login(app.test_client(), buyer)
    checkout = start_test_topup(browser, http_server)
    token = csrf_token_from(browser.get(checkout, base_url=http_server).get_data(as_text=True))
    browser.post(checkout, data={"csrf_token": token, "outcome": "failed"}, base_url=http_server)
    run_worker(redis)
    topup = db.session.query(Topup).one()
    assert topup.status == "failed"
    page = browser.get(f"/wallet/topups/{topup.id}").get_data(as_text=True)
    assert "The payment did not go through" in page and "hx-trigger" not in page
    assert balance(buyer) == 0 and transactions() == []


def test_when_the_webhook_cannot_be_reached_the_test_checkout_says_so(app, db, buyer, login):
    browser = login(app.test_client(), buyer)
    checkout = start_test_topup(browser, "http://localhost")
    token = csrf_token_from(browser.get(checkout).get_data(as_text=True))
    # Nothing listens at http://localhost:80 in the tests.
    response = browser.post(checkout, data={"csrf_token": token, "outcome": "paid"})
    assert response.status_code == 502
    assert "could not reach the webhook endpoint" in response.get_data(as_text=True)
    assert db.session.query(StripeEvent).count() == 0 and balance(buyer) == 0


def test_top_ups_are_their_owners_only(app, db, buyer, make_user, login, http_server):
    browser = login(app.test_client(), buyer)
    checkout = start_test_topup(browser, http_server)
    topup_id = checkout.rsplit("/", 1)[1]
    stranger = login(app.test_client(), make_user(role="client", consented=True))
    assert stranger.get(checkout).status_code == 404
    token = csrf_token_from(stranger.get("/wallet/topups/new").get_data(as_text=True))
    assert stranger.post(checkout, data={"csrf_token": token, "outcome": "paid"}).status_code == 404
    assert stranger.get(f"/wallet/topups/{topup_id}").status_code == 404
    assert app.test_client().get(f"/wallet/topups/{topup_id}").status_code == 302  # signed out: sign in first
    assert db.session.query(StripeEvent).count() == 0


def test_an_unknown_outcome_is_refused(app, db, buyer, login, http_server):
    browser = login(app.test_client(), buyer)
    checkout = start_test_topup(browser, http_server)
    token = csrf_token_from(browser.get(checkout, base_url=http_server).get_data(as_text=True))
    response = browser.post(checkout, data={"csrf_token": token, "outcome": "free-money"}, base_url=http_server)
    assert response.status_code == 400
    assert db.session.query(StripeEvent).count() == 0


# --- in place: the reading room tops up without leaving the page ------------------------------

HX = {"HX-Request": "true"}


def post_in_place(browser, url, data, base_url="http://localhost"):
    token = csrf_token_from(browser.get("/wallet/topups/new", base_url=base_url).get_data(as_text=True))
    return browser.post(url, data={"csrf_token": token, "in_place": "1", **data}, headers=HX, base_url=base_url)


def test_a_test_payment_in_place_answers_fragments_for_the_same_spot(app, db, redis, buyer, login, http_server):
    browser = login(app.test_client(), buyer)
    form = browser.get("/wallet/topups/new?in_place=1", headers=HX).get_data(as_text=True)
    assert "<html" not in form and 'hx-target="closest .topup-in-place"' in form
    assert 'name="in_place" value="1"' in form and "a TEST checkout opens right here" in form

    # The form answers the TEST checkout itself, not a redirect to another page.
    response = post_in_place(browser, "/wallet/topups", {"preset": "1000"}, http_server)
    checkout = response.get_data(as_text=True)
    topup = db.session.query(Topup).one()
    assert response.status_code == 200 and "HX-Redirect" not in response.headers and "<html" not in checkout
    assert "TEST" in checkout and "no real money moves" in checkout and "$10.00" in checkout
    assert f'hx-post="/wallet/test-checkout/{topup.id}"' in checkout and 'name="in_place" value="1"' in checkout

    # Paying answers the status, which asks for itself (in place) until the worker has credited.
    response = post_in_place(browser, f"/wallet/test-checkout/{topup.id}", {"outcome": "paid"}, http_server)
    waiting = response.get_data(as_text=True)
    assert response.status_code == 200 and "Processing your payment" in waiting
    assert f'hx-get="/wallet/topups/{topup.id}?in_place=1"' in waiting and "HX-Trigger" not in response.headers
    run_worker(redis)
    assert balance(buyer) == 1000
    done = browser.get(f"/wallet/topups/{topup.id}?in_place=1", headers=HX)
    fragment = done.get_data(as_text=True)
    assert "$10.00 added to your wallet" in fragment and "hx-trigger" not in fragment
    assert done.headers["HX-Trigger"] == "wallet-credited"  # the room asks for its fresh panel
    assert "Go to your wallet" not in fragment and "Add more" in fragment  # the room stays the page
    # No header balance out of band: the room, an app screen, has no header (issue #13); where a page
    # has one, the credit's `balance` event refreshes it (tests/payments/test_live_balance.py).
    assert 'id="balance-badge"' not in fragment and "hx-swap-oob" not in fragment
    # Paying again (a second click after the credit) only shows the result.
    again = post_in_place(browser, f"/wallet/test-checkout/{topup.id}", {"outcome": "paid"}, http_server)
    assert "$10.00 added to your wallet" in again.get_data(as_text=True)
    assert database.session.query(StripeEvent).count() == 1 and len(transactions()) == 1


def test_a_bad_amount_in_place_is_told_in_place_and_starts_nothing(app, db, buyer, login):
    browser = login(app.test_client(), buyer)
    for data, message in [
        ({"custom_amount": "2"}, "Choose an amount from $5.00 to $1,000.00."),
        ({"custom_amount": "ten dollars"}, "Enter an amount in dollars, like 20 or 12.50."),
        ({}, "Choose an amount, or type another amount."),
    ]:
        response = post_in_place(browser, "/wallet/topups", data)
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "<html" not in html, data  # HTMX swaps 200s
        assert message in html and 'name="in_place" value="1"' in html, data
    assert db.session.query(Topup).count() == 0 and balance(buyer) == 0


def test_in_place_with_stripe_the_checkout_opens_in_a_new_tab(stripe_app, stripe_api, db, buyer, login):
    browser = login(stripe_app.test_client(), buyer)
    response = post_in_place(browser, "/wallet/topups", {"preset": "2500"})
    html = response.get_data(as_text=True)
    [session_id] = stripe_api.sessions
    topup = db.session.query(Topup).one()
    assert response.status_code == 200 and "HX-Redirect" not in response.headers
    assert f'href="{stripe_api.sessions[session_id]["url"]}" target="_blank" rel="noopener"' in html
    assert "Pay $25.00 on Stripe (opens a new tab)" in html
    assert f'hx-get="/wallet/topups/{topup.id}?in_place=1"' in html  # and follows the payment here
