"""Refunds of card-paid orders (SH-6): a Stripe refund with its idempotency key (the loopback fake
records it), the ledger moving only on Stripe's signed `charge.refunded` event, replayed and out of
order; downloads revoked; test payments without Stripe. `flask ledger verify` after each test."""

import pytest
import sqlalchemy as sa

from soulseer.extensions import db as database
from soulseer.ledger import LedgerTransaction, accounts, reads
from soulseer.models import Order, OrderRefund, Product, StripeEvent
from soulseer.services import commerce
from soulseer.services.shop import refunds
from soulseer.services.shop.errors import ShopError
from tests.support.money import earnings_of, revenue
from tests.support.shop import card_order, checkout_session, digital_product
from tests.support.stripe_fake import charge, event
from tests.support.topups import deliver, run_worker, stored_event

PAYMENT = "pi_card_1"


def _paid(app, redis, buyer, product, quantity=1, fake=None):
    order = card_order(buyer, product, quantity)
    deliver(app.test_client(), event("checkout.session.completed", checkout_session(order)), _secret(app))
    run_worker(redis)
    if fake is not None:
        fake.charged[PAYMENT] = order.total_cents
    return database.session.get(Order, order.id)


def _secret(app):
    return app.config["STRIPE_WEBHOOK_SECRET"]


def _refunded_event(order, amount_refunded):
    return event("charge.refunded", charge("ch_card_1", PAYMENT, order.total_cents, amount_refunded))


def _refund_postings():
    return database.session.scalars(sa.select(LedgerTransaction).where(LedgerTransaction.kind == "refund")).all()


def _clearing():
    """Stripe clearing's balance: the card money in, less what went back to cards."""
    return reads.account_balance(accounts.stripe_clearing())


def test_a_full_refund_asks_stripe_once_and_the_ledger_moves_on_its_event(db, app, redis, funded, admin, make_user,
                                                                         with_stripe):  # fmt: skip
    luna = make_user(role="reader", consented=True)
    guide = digital_product(admin, title="Moon Rituals", price="10.00", seller=luna)
    order = _paid(app, redis, funded(0), guide, fake=with_stripe)
    assert (earnings_of(luna), revenue()) == (700, 300)

    refunds.refund_order(admin, order.id, "Not as described", "form-1")
    database.session.commit()
    refunds.refund_order(admin, order.id, "Not as described", "form-1")  # the same form again
    database.session.commit()
    [asked] = with_stripe.requests_to("POST", "/v1/refunds")
    assert asked.form == {"payment_intent": PAYMENT, "amount": "1000", "metadata[order_id]": str(order.id),
                          "metadata[order_refund_id]": asked.form["metadata[order_refund_id]"]}  # fmt: skip
    assert asked.headers["Idempotency-Key"] == f"soulseer-order-{order.id}-refund-form-1"
    database.session.expire_all()
    order = database.session.get(Order, order.id)
    [row] = database.session.scalars(sa.select(OrderRefund)).all()
    assert (row.amount_cents, row.stripe_refund_id) == (1000, next(iter(with_stripe.refunds)))
    assert order.payment_status == "refunded" and order.items[0].grant is None  # the download stops at once
    assert refunds.left_to_refund(order) == 0
    assert _refund_postings() == [] and earnings_of(luna) == 700  # nothing moves before Stripe's event

    refunded = _refunded_event(order, 1000)
    for _ in range(2):  # Stripe delivers at least once
        deliver(app.test_client(), refunded, _secret(app))
        run_worker(redis)
    assert stored_event(refunded["id"]).status == "applied"
    [posting] = _refund_postings()
    assert (earnings_of(luna), revenue(), _clearing()) == (0, 0, 0)  # all of it back to the card
    assert reads.refunded(("order", order.id)) == 1000 and posting.reference_type == "order"


def test_her_part_of_an_order_being_refunded_is_held_from_payouts_until_stripe_says(
    db, app, redis, funded, admin, make_user, with_stripe
):
    """Between the refund asked of Stripe and its `charge.refunded`, a payout would take the reader's
    part out of her earnings and leave the event nothing to take back: it is held meanwhile."""
    from datetime import timedelta

    from soulseer import clock
    from soulseer.services.payouts import earnings
    from tests.support.payouts import earn

    luna = make_user(role="reader", consented=True)
    guide = digital_product(admin, title="Moon Rituals", price="10.00", seller=luna)
    order = _paid(app, redis, funded(0), guide, fake=with_stripe)
    earn(funded(0), luna, 2000, reference=("reading", 10**6))  # $14.00 from elsewhere
    with clock.frozen(clock.now() + timedelta(days=4)):  # both sales cleared
        assert (earnings.of(luna).held.cents, earnings.of(luna).available) == (0, 2100)
        refunds.refund_order(admin, order.id, "Not as described", "form-1")
        database.session.commit()
        now = earnings.of(luna)
        assert (now.held.cents, now.available) == (700, 1400)
        assert earnings.payable([luna.id])[luna.id].available == 1400

        deliver(app.test_client(), _refunded_event(order, 1000), _secret(app))
        run_worker(redis)
        now = earnings.of(luna)
        assert (now.balance, now.held.cents, now.available) == (1400, 0, 1400)


def test_per_item_then_the_rest_with_cumulative_events_out_of_order(db, app, redis, funded, admin, crystal,
                                                                    with_stripe):  # fmt: skip
    order = _paid(app, redis, funded(0), crystal, 2, fake=with_stripe)  # 2 × $25 + $5 shipping
    [item] = order.items
    refunds.refund_item(admin, order.id, item.id, "One arrived broken", "form-1")
    database.session.commit()
    assert refunds.left_to_refund(database.session.get(Order, order.id)) == 500
    with pytest.raises(ShopError) as again:
        refunds.refund_item(admin, order.id, item.id, "Again", "form-2")
    assert again.value.status == 409
    database.session.rollback()
    refunds.refund_order(admin, order.id, "The shipping too", "form-3")
    database.session.commit()
    assert [r.form["amount"] for r in with_stripe.requests_to("POST", "/v1/refunds")] == ["5000", "500"]
    # Stripe's events carry the cumulative amount; the later one overtakes the earlier.
    for refunded in (_refunded_event(order, 5500), _refunded_event(order, 5000), _refunded_event(order, 5500)):
        deliver(app.test_client(), refunded, _secret(app))
        run_worker(redis)
    assert len(_refund_postings()) == 1 and reads.refunded(("order", order.id)) == 5500
    assert (revenue(), _clearing()) == (0, 0)
    assert database.session.get(Product, crystal.id).stock == 1  # refunds do not restock; cancelling does


def test_when_stripe_refuses_nothing_is_kept(db, app, redis, funded, admin, guide, with_stripe):
    order = _paid(app, redis, funded(0), guide, fake=with_stripe)
    with_stripe.script("POST", "/v1/refunds", (400, "invalid_request_error", "charge_disputed", "It is disputed."))
    with pytest.raises(ShopError) as refused:
        refunds.refund_order(admin, order.id, "Not as described", "form-1")
    assert refused.value.status == 502 and "Nothing was refunded" in refused.value.message
    database.session.rollback()
    order = database.session.get(Order, order.id)
    assert order.payment_status == "paid" and order.items[0].grant is not None
    assert database.session.scalar(sa.select(sa.func.count()).select_from(OrderRefund)) == 0


def test_a_reader_paid_out_already_is_refused_before_stripe_is_asked(db, app, redis, funded, admin, make_user,
                                                                     with_stripe):  # fmt: skip
    from soulseer import clock
    from soulseer.ledger import keys, operations
    from soulseer.models import Payout

    luna = make_user(role="reader", consented=True)
    guide = digital_product(admin, title="Moon Rituals", price="10.00", seller=luna)
    order = _paid(app, redis, funded(0), guide, fake=with_stripe)
    payout = Payout(user_id=luna.id, stripe_account_id="acct_1luna", amount_cents=700, trigger="on_request",
                    run_date=clock.now().date())  # fmt: skip
    database.session.add(payout)
    database.session.flush()
    operations.start_payout(luna, 700, keys.payout(payout.id, "start"), ("payout", payout.id))  # her earnings leave
    database.session.commit()
    with pytest.raises(commerce.RefundRefused):
        refunds.refund_order(admin, order.id, "Not as described", "form-1")
    database.session.rollback()
    assert with_stripe.requests_to("POST", "/v1/refunds") == []


def test_cancelling_a_card_order_restocks_and_refunds_through_stripe(db, app, redis, funded, admin, crystal,
                                                                    with_stripe):  # fmt: skip
    order = _paid(app, redis, funded(0), crystal, 3, fake=with_stripe)
    assert database.session.get(Product, crystal.id).stock == 0
    refunds.cancel(admin, order.id, "Out of stock at the warehouse", "form-1")
    database.session.commit()
    assert [r.form["amount"] for r in with_stripe.requests_to("POST", "/v1/refunds")] == ["8000"]
    database.session.expire_all()
    assert database.session.get(Product, crystal.id).stock == 3
    deliver(app.test_client(), _refunded_event(order, 8000), _secret(app))
    run_worker(redis)
    assert (revenue(), _clearing(), len(_refund_postings())) == (0, 0, 1)


def test_a_refund_made_in_stripes_dashboard_moves_the_ledger_and_revokes_downloads(db, app, redis, funded, guide,
                                                                                  with_stripe):  # fmt: skip
    order = _paid(app, redis, funded(0), guide, fake=with_stripe)
    deliver(app.test_client(), _refunded_event(order, 1200), _secret(app))
    run_worker(redis)
    database.session.expire_all()
    order = database.session.get(Order, order.id)
    assert order.payment_status == "refunded" and order.items[0].grant is None and revenue() == 0


def test_a_refund_event_before_the_payment_waits_for_it(db, app, redis, funded, guide, with_stripe):
    order = card_order(funded(0), guide)
    refunded = _refunded_event(order, 1200)
    deliver(app.test_client(), refunded, _secret(app))
    run_worker(redis)
    assert stored_event(refunded["id"]).status == "failed"
    deliver(app.test_client(), event("checkout.session.completed", checkout_session(order)), _secret(app))
    run_worker(redis)  # paying the order applies the refund that waited
    assert stored_event(refunded["id"]).status == "applied"
    assert (revenue(), _clearing(), len(_refund_postings())) == (0, 0, 1)


def test_with_test_payments_the_refund_is_applied_by_the_same_job(db, app, redis, funded, admin, guide):
    order = card_order(funded(0), guide)
    paid = checkout_session(order, payment_intent="pi_test_abc123")
    deliver(app.test_client(), event("checkout.session.completed", paid), _secret(app))
    run_worker(redis)
    refunds.refund_order(admin, order.id, "Not as described", "form-1")
    database.session.commit()
    [stored] = database.session.scalars(sa.select(StripeEvent).where(StripeEvent.type == "charge.refunded")).all()
    assert stored.payload["data"]["object"]["amount_refunded"] == 1200
    run_worker(redis)
    assert (revenue(), _clearing(), len(_refund_postings())) == (0, 0, 1)
