"""Paying for an order by card (SH-4): Stripe Checkout against the loopback fake of Stripe's API,
signed events through the real endpoint and the real RQ worker, replayed and reordered; the stock
reserved at session creation and given back on expiry (event or tick); test payments over HTTP.
`flask ledger verify` runs after each test (tests/shop/conftest.py)."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from soulseer import clock
from soulseer.extensions import db as database
from soulseer.ledger import LedgerTransaction, accounts, keys, reads
from soulseer.models import Notification, Order, Product, User
from soulseer.services.shop import checkout
from soulseer.services.shop.errors import ShopError
from tests.conftest import csrf_token_from
from tests.support.money import earnings_of, revenue
from tests.support.shop import ADDRESS, digital_product
from tests.support.shop import card_order as _start
from tests.support.shop import checkout_session as _session
from tests.support.stripe_fake import event
from tests.support.topups import deliver, run_worker, stored_event


def _stock(product):
    database.session.expire_all()
    return database.session.get(Product, product.id).stock


def _order(order_id):
    database.session.expire_all()
    return database.session.get(Order, order_id)


def _purchases():
    return database.session.scalar(
        sa.select(sa.func.count()).select_from(LedgerTransaction).where(LedgerTransaction.kind == "purchase")
    )


def test_pay_by_card_opens_a_checkout_session_and_reserves_the_stock(db, funded, crystal, writer, with_stripe):
    cass = funded(0)
    page = writer(cass)
    html = page.get(f"/shop/{crystal.slug}").get_data(as_text=True)
    assert "Pay by card" in html and 'name="card_request_key"' in html
    with clock.frozen(clock.now()):
        now = clock.now()
        response = page.post(f"/shop/{crystal.slug}/checkout", data={
            "csrf_token": page.csrf, "card_request_key": "form-1", "card_quantity": "2",
        })  # fmt: skip
    [request] = with_stripe.requests_to("POST", "/v1/checkout/sessions")
    order = database.session.execute(sa.select(Order)).scalar_one()
    [session_id] = with_stripe.sessions
    assert response.status_code == 303 and response.headers["Location"] == with_stripe.sessions[session_id]["url"]
    assert request.headers["Idempotency-Key"] == f"soulseer-order-{order.id}"
    assert request.form == {
        "mode": "payment",
        "payment_method_types[0]": "card",
        "line_items[0][quantity]": "2",
        "line_items[0][price_data][currency]": "usd",
        "line_items[0][price_data][unit_amount]": "2500",
        "line_items[0][price_data][product_data][name]": "Rose Quartz Point",
        "client_reference_id": str(cass.id),
        "customer_email": cass.email,
        "metadata[order_id]": str(order.id),
        "payment_intent_data[metadata][order_id]": str(order.id),
        "expires_at": str(int((now + timedelta(minutes=31)).timestamp())),
        "success_url": f"http://localhost/orders/{order.id}",
        "cancel_url": f"http://localhost/shop/{crystal.slug}",
        "shipping_address_collection[allowed_countries][0]": "US",
        "shipping_options[0][shipping_rate_data][type]": "fixed_amount",
        "shipping_options[0][shipping_rate_data][display_name]": "Shipping",
        "shipping_options[0][shipping_rate_data][fixed_amount][amount]": "500",
        "shipping_options[0][shipping_rate_data][fixed_amount][currency]": "usd",
    }
    assert with_stripe.sessions[session_id]["amount_total"] == 5500 == order.total_cents
    assert (order.payment_method, order.payment_status, order.checkout_session_id) == ("card", "pending", session_id)
    assert _stock(crystal) == 1 and _purchases() == 0  # reserved; nothing paid yet
    # The same form again (a double click) opens the same order's checkout: no second session.
    again = page.post(f"/shop/{crystal.slug}/checkout", data={
        "csrf_token": page.csrf, "card_request_key": "form-1", "card_quantity": "2",
    })  # fmt: skip
    assert again.headers["Location"] == with_stripe.sessions[session_id]["url"]
    assert len(with_stripe.sessions) == 1 and _stock(crystal) == 1
    waiting = page.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "Waiting for your payment" in waiting and 'hx-trigger="every 2s"' in waiting
    assert "Pay $55.00 by card" in waiting


def test_when_stripe_refuses_the_reservation_goes_back(db, funded, crystal, writer, with_stripe):
    with_stripe.fail_with = (400, "invalid_request_error", "This account cannot accept payments yet.")
    page = writer(funded(0))
    response = page.post(f"/shop/{crystal.slug}/checkout", data={
        "csrf_token": page.csrf, "card_request_key": "form-1", "card_quantity": "3",
    })  # fmt: skip
    assert response.status_code == 422
    assert "We could not open the payment page. Nothing was charged" in response.get_data(as_text=True)
    order = database.session.execute(sa.select(Order)).scalar_one()
    assert order.payment_status == "failed" and _stock(crystal) == 3


def test_ten_parallel_checkouts_of_three_crystals_on_real_connections(db, funded, crystal, run_in_parallel,
                                                                      with_stripe):  # fmt: skip
    """Stock 3, 10 buyers opening Checkout at once -> exactly 3 sessions, 7 clean refusals."""
    buyer_ids = [funded(0).id for _ in range(10)]

    def pay_by_card(i):
        order = _start(database.session.get(User, buyer_ids[i]), crystal, 1, f"parallel-{i}")
        return order.id

    results = run_in_parallel(pay_by_card, 10)
    opened = [result for result in results if isinstance(result, int)]
    refusals = [result for result in results if not isinstance(result, int)]
    assert len(opened) == 3 and len(refusals) == 7
    assert all(isinstance(r, ShopError) and r.status == 409 and r.message == "Sold out." for r in refusals)
    assert len(with_stripe.sessions) == 3 and len(with_stripe.requests_to("POST", "/v1/checkout/sessions")) == 3
    assert _stock(crystal) == 0 and _purchases() == 0
    assert database.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 3


@pytest.mark.parametrize(
    "sequence",
    [
        ("completed", "completed", "async_succeeded", "expired"),
        ("async_succeeded", "completed", "async_succeeded"),
        ("expired", "completed", "completed"),  # the release overtook the payment: Stripe's "paid" wins
    ],
)
def test_signed_events_replayed_and_reordered_fulfil_the_order_once(db, app, redis, funded, crystal, with_stripe,
                                                                   sequence):  # fmt: skip
    cass = funded(0)
    order = _start(cass, crystal, 2)
    paid = _session(order)
    events = {
        "completed": event("checkout.session.completed", paid),
        "async_succeeded": event("checkout.session.async_payment_succeeded", paid),
        "expired": event("checkout.session.expired", {**_session(order, "unpaid"), "status": "expired"}),
    }
    webhook = app.test_client()
    for name in sequence:  # a replay delivers the same event (same id) again
        assert deliver(webhook, events[name], app.config["STRIPE_WEBHOOK_SECRET"]).status_code == 200
        run_worker(redis)
    order = _order(order.id)
    assert (order.payment_status, order.payment_intent_id) == ("paid", "pi_card_1")
    assert order.address_lines == ["Nova Lee", "12 Elm Street", "Portland OR 97201", "US"]
    assert _stock(crystal) == 1 and _purchases() == 1
    assert {line.transaction.idempotency_key for line in reads.lines_for_reference(("order", order.id))} == {
        keys.order_payment(order.id)
    }
    legs = sorted((line.account.code, line.amount) for line in reads.lines_for_reference(("order", order.id)))
    assert legs == [("platform:revenue", 5500), ("stripe:clearing", -5500)]  # never through the wallet
    assert reads.balance(accounts.wallet_spec(cass)) == 0 and revenue() == 5500
    assert stored_event(events["completed"]["id"]).status == "applied"
    assert database.session.scalar(
        sa.select(sa.func.count()).select_from(Notification).where(Notification.user_id == cass.id)
    ) == 1  # fmt: skip


def test_a_readers_guide_paid_by_card_pays_her_share_and_grants_downloads(db, app, redis, funded, admin, make_user,
                                                                         with_stripe):  # fmt: skip
    luna = make_user(role="reader", consented=True)
    guide = digital_product(admin, title="Moon Rituals", price="9.99", seller=luna)
    order = _start(funded(0), guide)
    deliver(
        app.test_client(), event("checkout.session.completed", _session(order)), app.config["STRIPE_WEBHOOK_SECRET"]
    )
    run_worker(redis)
    order = _order(order.id)
    assert order.paid and order.items[0].grant.allowed == 5 and order.ship_name is None
    assert (earnings_of(luna), revenue()) == (699, 300)


def test_a_session_that_does_not_match_its_order_is_kept_failed_and_pays_nothing(db, app, redis, funded, crystal,
                                                                                 with_stripe):  # fmt: skip
    order = _start(funded(0), crystal)
    wrong = event("checkout.session.completed", {**_session(order), "amount_total": 100})
    deliver(app.test_client(), wrong, app.config["STRIPE_WEBHOOK_SECRET"])
    run_worker(redis)
    assert stored_event(wrong["id"]).status == "failed" and "amount mismatch" in stored_event(wrong["id"]).error
    assert _order(order.id).payment_status == "pending" and _purchases() == 0


def test_expiry_and_failed_payments_give_the_stock_back_once(db, app, redis, funded, crystal, with_stripe):
    order = _start(funded(0), crystal, 2)
    assert _stock(crystal) == 1
    secret = app.config["STRIPE_WEBHOOK_SECRET"]
    expired = event("checkout.session.expired", {**_session(order, "unpaid"), "status": "expired"})
    failed = event("checkout.session.async_payment_failed", _session(order, "unpaid"))
    for delivery in (expired, failed, expired):
        deliver(app.test_client(), delivery, secret)
        run_worker(redis)
    assert _order(order.id).payment_status == "failed" and _stock(crystal) == 3 and _purchases() == 0


def test_the_tick_expires_a_forgotten_session_at_stripe_five_minutes_after_expiry(db, funded, crystal, with_stripe):
    order = _start(funded(0), crystal, 1, "a")
    paid_elsewhere = _start(funded(0), crystal, 1, "b")
    assert _stock(crystal) == 1
    # Stripe's record of the second: paid (its event lost); the tick fulfils it from what Stripe says.
    session = with_stripe.sessions[paid_elsewhere.checkout_session_id]
    session.update(status="complete", payment_status="paid", payment_intent="pi_lost_event",
                   collected_information={"shipping_details": ADDRESS})  # fmt: skip
    expires_at = _order(paid_elsewhere.id).checkout_expires_at  # the later of the two
    assert checkout.tick(expires_at + timedelta(minutes=4, seconds=58)) == 0
    assert checkout.tick(expires_at + timedelta(minutes=5)) == 2
    assert with_stripe.sessions[order.checkout_session_id]["status"] == "expired"
    assert _order(order.id).payment_status == "failed"
    assert _order(paid_elsewhere.id).payment_status == "paid" and _order(paid_elsewhere.id).ship_city == "Portland"
    assert _stock(crystal) == 2 and _purchases() == 1
    assert checkout.tick(expires_at + timedelta(hours=2)) == 0


def test_the_ticks_rule_in_python_and_in_sql_agree(db, funded, crystal, guide):
    cass = funded(10_000)
    start = clock.now()
    orders = [_start(cass, crystal, 1, f"k{i}") for i in range(2)] + [_start(cass, guide, 1, "k2")]
    orders[1].payment_status = "paid"
    database.session.commit()
    for now in (start, start + timedelta(minutes=35), start + timedelta(minutes=36, seconds=1)):
        in_sql = set(database.session.scalars(sa.select(Order.id).where(checkout.needs_tick_clause(now))))
        assert in_sql == {o.id for o in database.session.scalars(sa.select(Order)) if checkout.needs_tick(o, now)}


# Test payments: the TEST checkout stands in for Stripe's, over real HTTP to our own webhook ------


def test_a_test_checkout_asks_for_the_address_and_pays_through_the_webhook(app, db, redis, funded, crystal, login,
                                                                          http_server):  # fmt: skip
    cass = funded(0)
    browser = login(app.test_client(), cass)
    token = csrf_token_from(browser.get(f"/shop/{crystal.slug}").get_data(as_text=True))
    response = browser.post(f"/shop/{crystal.slug}/checkout",
                            data={"csrf_token": token, "card_request_key": "k", "card_quantity": "1"})  # fmt: skip
    order = database.session.execute(sa.select(Order)).scalar_one()
    assert response.status_code == 303 and response.headers["Location"] == f"/orders/{order.id}/test-checkout"
    page = browser.get(f"/orders/{order.id}/test-checkout", base_url=http_server)
    html = page.get_data(as_text=True)
    assert "TEST" in html and "Street address" in html and "$30.00" in html
    form = {"csrf_token": csrf_token_from(html), "outcome": "paid", "ship_name": "Nova Lee", "ship_city": "",
            "ship_line1": "12 Elm Street", "ship_postal_code": "97201", "ship_country": "US"}  # fmt: skip
    missing = browser.post(f"/orders/{order.id}/test-checkout", data=form, base_url=http_server)
    assert missing.status_code == 422 and "Enter the city." in missing.get_data(as_text=True)
    done = browser.post(f"/orders/{order.id}/test-checkout", data={**form, "ship_city": "Portland"},
                        base_url=http_server)  # fmt: skip
    assert done.status_code == 303 and done.headers["Location"] == f"/orders/{order.id}"
    assert _order(order.id).payment_status == "pending"  # only the webhook's job pays
    run_worker(redis)
    order = _order(order.id)
    assert order.paid and order.ship_city == "Portland" and _purchases() == 1 and _stock(crystal) == 2
    paid_page = browser.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "Paid by card" in paid_page and "hx-trigger" not in paid_page
    # Paid: the TEST checkout only points back to the order; another person gets 404.
    assert browser.get(f"/orders/{order.id}/test-checkout").status_code == 303
    other = login(app.test_client(), funded(0))
    assert other.get(f"/orders/{order.id}/test-checkout").status_code == 404


def test_a_failing_test_payment_gives_the_stock_back(app, db, redis, funded, crystal, login, http_server):
    cass = funded(0)
    order = _start(cass, crystal, 2)
    browser = login(app.test_client(), cass)
    html = browser.get(f"/orders/{order.id}/test-checkout", base_url=http_server).get_data(as_text=True)
    browser.post(f"/orders/{order.id}/test-checkout", data={"csrf_token": csrf_token_from(html), "outcome": "failed"},
                 base_url=http_server)  # fmt: skip
    run_worker(redis)
    assert _order(order.id).payment_status == "failed" and _stock(crystal) == 3 and _purchases() == 0
    assert "This order was not paid" in browser.get(f"/orders/{order.id}").get_data(as_text=True)
