"""Refunds and cancellations (SH-6, SH-7): through commerce, proportional, once per form, revoking
downloads; shipped goods only once returned; cancelling before shipment restores the stock."""

import pytest
import sqlalchemy as sa

from soulseer.extensions import db as database
from soulseer.models import AuditEntry, Notification, Order, Product, User
from soulseer.services.shop import buying, downloads, orders, refunds
from soulseer.services.shop.errors import ShopError
from tests.support.money import earnings_of, revenue, wallet_of
from tests.support.shop import digital_product

ADDRESS = buying.Address(name="Cass", line1="1 Main St", city="Springfield", postal_code="62701", country="US")


@pytest.fixture
def luna(make_user):
    return make_user(role="reader", consented=True)


def test_a_full_refund_of_a_readers_guide_reverses_both_parts_once_and_revokes_the_download(
    db, admin, funded, luna, writer
):
    guide = digital_product(admin, title="Moon Rituals", price="10.00", seller=luna)
    cass = funded(5_000)
    order = buying.buy_from_wallet(cass, guide.id, 1, "key-1")
    db.session.commit()
    assert (wallet_of(cass), earnings_of(luna), revenue()) == (4_000, 700, 300)
    refunds.refund_order(admin, order.id, "The file would not open", "form-a")
    db.session.commit()
    assert (wallet_of(cass), earnings_of(luna), revenue()) == (5_000, 0, 0)
    again = refunds.refund_order(admin, order.id, "The file would not open", "form-a")  # the same form
    db.session.commit()
    assert again.id == order.id and wallet_of(cass) == 5_000
    with pytest.raises(ShopError) as twice:
        refunds.refund_order(admin, order.id, "Again, another form", "form-b")
    assert twice.value.status == 409
    database.session.rollback()
    database.session.expire_all()
    assert order.payment_status == "refunded" and order.items[0].refunded_cents == 1000
    response = writer(cass).get(f"/orders/{order.id}/items/{order.items[0].id}/download")
    assert response.status_code == 410 and "refunded" in response.get_data(as_text=True)
    note = database.session.execute(sa.select(Notification).filter_by(user_id=cass.id)).scalar_one()
    assert note.text == f"Order #{order.id}: $10.00 was refunded to your wallet."
    last_action = database.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id.desc())).first()
    assert last_action == "shop.order_refunded"
    with pytest.raises(ShopError):
        downloads.fresh_grant(admin, order.items[0].id, "no")


def test_an_item_then_the_rest_of_a_shipped_order_once_its_return_arrived(db, admin, funded, crystal):
    cass = funded(10_000)
    order = buying.buy_from_wallet(cass, crystal.id, 2, "key-1", ADDRESS)  # 2 × 2500 + 500 shipping
    orders.mark_shipped(admin, order.id, "USPS", "94001000")
    db.session.commit()
    item = order.items[0]
    with pytest.raises(ShopError) as not_back:
        refunds.refund_item(admin, order.id, item.id, "Arrived broken", "form-a")
    assert not_back.value.field == "return_received"
    database.session.rollback()
    refunds.refund_item(admin, order.id, item.id, "Arrived broken", "form-a", return_received=True)
    db.session.commit()
    database.session.expire_all()
    assert (order.payment_status, item.refunded_cents, wallet_of(cass)) == ("partially_refunded", 5000, 9_500)
    with pytest.raises(ShopError) as item_done:
        refunds.refund_item(admin, order.id, item.id, "Arrived broken", "form-b", return_received=True)
    assert item_done.value.status == 409
    database.session.rollback()
    refunds.refund_order(admin, order.id, "Shipping back too", "form-c", return_received=True)
    db.session.commit()
    database.session.expire_all()
    assert (order.payment_status, wallet_of(cass), revenue()) == ("refunded", 10_000, 0)
    assert database.session.get(Product, crystal.id).stock == 1  # a refund after shipping restocks nothing


def test_cancelling_before_shipment_restores_stock_and_refunds(db, admin, funded, crystal, writer):
    cass = funded(10_000)
    order = buying.buy_from_wallet(cass, crystal.id, 2, "key-1", ADDRESS)
    db.session.commit()
    assert database.session.get(Product, crystal.id).stock == 1
    refunds.cancel(admin, order.id, "Out of this colour", "form-a")
    refunds.cancel(admin, order.id, "Out of this colour", "form-a")  # the same form again
    db.session.commit()
    database.session.expire_all()
    assert (order.fulfilment_status, order.payment_status) == ("cancelled", "refunded")
    assert (database.session.get(Product, crystal.id).stock, wallet_of(cass), revenue()) == (3, 10_000, 0)
    with pytest.raises(ShopError) as shipped:
        orders.mark_shipped(admin, order.id, "USPS", "94001000")
    assert shipped.value.status == 409


def test_a_shipped_order_cannot_be_cancelled_and_reasons_are_required(db, admin, funded, crystal):
    order = buying.buy_from_wallet(funded(), crystal.id, 1, "key-1", ADDRESS)
    orders.mark_shipped(admin, order.id, "USPS", "94001000")
    db.session.commit()
    with pytest.raises(ShopError) as late:
        refunds.cancel(admin, order.id, "Changed my mind", "form-a")
    assert late.value.status == 409
    with pytest.raises(ShopError) as short:
        refunds.refund_order(admin, order.id, "no", "form-b", return_received=True)
    assert short.value.field == "reason"


def test_five_admins_refunding_at_once_refund_once(db, admin, funded, guide, run_in_parallel):
    cass = funded(5_000)
    order = buying.buy_from_wallet(cass, guide.id, 1, "key-1")
    db.session.commit()
    admin_id, order_id, cass_id = admin.id, order.id, cass.id

    def refund(i):
        refunds.refund_order(database.session.get(User, admin_id), order_id, "Refund requested", f"form-{i}")
        database.session.commit()
        return "refunded"

    results = run_in_parallel(refund, 5)
    assert results.count("refunded") == 1
    assert all(isinstance(r, ShopError) and r.status == 409 for r in results if r != "refunded")
    database.session.expire_all()
    assert wallet_of(database.session.get(User, cass_id)) == 5_000


def test_the_admin_refunds_and_cancels_from_the_order_page(db, admin, funded, crystal, guide, writer):
    cass = funded(10_000)
    digital = buying.buy_from_wallet(cass, guide.id, 1, "key-1")
    physical = buying.buy_from_wallet(cass, crystal.id, 1, "key-2", ADDRESS)
    db.session.commit()
    page = writer(admin)
    html = page.get(f"/admin/orders/{digital.id}").get_data(as_text=True)
    assert "Everything left ($12.00)" in html and "Refunded downloads stop working." in html
    short = page.post(f"/admin/orders/{digital.id}/refund", data={
        "csrf_token": page.csrf, "request_key": "k1", "what": "order", "reason": "no",
    })  # fmt: skip
    assert short.status_code == 422 and "Say why" in short.get_data(as_text=True)
    done = page.post(f"/admin/orders/{digital.id}/refund", data={
        "csrf_token": page.csrf, "request_key": "k1", "what": "order", "reason": "Bought twice by mistake",
    })  # fmt: skip
    assert done.status_code == 303
    assert "Cancel and refund" in page.get(f"/admin/orders/{physical.id}").get_data(as_text=True)
    cancelled = page.post(f"/admin/orders/{physical.id}/cancel", data={
        "csrf_token": page.csrf, "request_key": "k2", "reason": "Out of stock after all",
    })  # fmt: skip
    assert cancelled.status_code == 303
    database.session.expire_all()
    assert [o.payment_status for o in database.session.execute(sa.select(Order).order_by(Order.id)).scalars()] == [
        "refunded", "refunded",
    ]  # fmt: skip
    assert wallet_of(cass) == 10_000
    orders_page = writer(cass).get("/orders").get_data(as_text=True)
    assert orders_page.count("Refunded") == 2 and "Cancelled" in orders_page
