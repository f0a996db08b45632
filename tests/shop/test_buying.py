"""Buying from the wallet (SH-3): one transaction, exact money, stock exact under concurrency,
one order per buy form, refusals with nothing written."""

import pytest
import sqlalchemy as sa

from soulseer.extensions import db as database
from soulseer.ledger import LedgerTransaction, keys, reads
from soulseer.models import DownloadGrant, Order, Product, ProductStatus, User
from soulseer.services import commerce
from soulseer.services.shop import buying, products
from soulseer.services.shop.errors import ShopError
from tests.shop.conftest import ADDRESS, buy_form
from tests.support.money import earnings_of, revenue, statements_after_the_sale, wallet_of
from tests.support.shop import digital_product


def _count(model):
    return database.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_platform_guide_bought_from_the_wallet_is_paid_once_with_a_download_grant(db, funded, guide):
    cass = funded(10_000)
    order = buying.buy_from_wallet(cass, guide.id, 1, "key-1")
    db.session.commit()
    assert (order.payment_status, order.fulfilment_status, order.total_cents) == ("paid", "not_required", 1200)
    assert (wallet_of(cass), revenue()) == (8800, 1200)
    assert reads.posted(keys.order_payment(order.id)) is not None
    [item] = order.items
    assert (item.title, item.unit_price_cents, item.quantity, item.grant.allowed, item.grant.used) == (
        "Tarot for Beginners", 1200, 1, 5, 0,
    )  # fmt: skip
    again = buying.buy_from_wallet(cass, guide.id, 1, "key-1")  # a double click, a retried request
    db.session.commit()
    assert again.id == order.id
    assert (_count(Order), _count(DownloadGrant), wallet_of(cass)) == (1, 1, 8800)
    assert (
        database.session.scalar(
            sa.select(sa.func.count()).select_from(LedgerTransaction).where(LedgerTransaction.kind == "purchase")
        )
        == 1
    )


def test_a_readers_guide_pays_her_share_and_the_platform_the_rest(db, funded, admin, make_user):
    luna = make_user(role="reader", consented=True)
    product = digital_product(admin, title="Moon Rituals", price="9.99", seller=luna)
    cass = funded(5_000)
    buying.buy_from_wallet(cass, product.id, 1, "key-1")
    db.session.commit()
    assert (wallet_of(cass), earnings_of(luna), revenue()) == (5_000 - 999, 699, 300)


def test_locks_every_buyer_waits_for_are_taken_last(db, funded, admin, make_user, crystal):
    """A reader's guide: the sale (it locks her earnings) comes after the order and the download
    grant, with nothing after it but the commit. A crystal: only the stock (its row lock) follows
    the sale."""
    luna = make_user(role="reader", consented=True)
    product = digital_product(admin, title="Moon Rituals", price="9.99", seller=luna)
    cass = funded(50_000)
    with statements_after_the_sale() as after:
        order = buying.buy_from_wallet(cass, product.id, 1, "key-1")
    assert after == []
    db.session.commit()
    assert order.items[0].grant is not None and earnings_of(luna) == 699
    with statements_after_the_sale() as after:
        address = buying.Address(name="Cass Moon", line1="1 Main St", city="Springfield", postal_code="62701",
                                 country="US")  # fmt: skip
        buying.buy_from_wallet(cass, crystal.id, 2, "key-2", address)
    assert len(after) == 1 and after[0].startswith("UPDATE products SET stock=")
    db.session.commit()


def test_the_title_and_price_bought_stay_on_the_order_when_the_product_changes(db, funded, admin, guide):
    cass = funded()
    order = buying.buy_from_wallet(cass, guide.id, 1, "key-1")
    db.session.commit()
    products.update(admin, guide, products.Details(kind="digital", title="Tarot, Second Edition", category="guides",
                                                   price="20", ), status=ProductStatus.PUBLISHED)  # fmt: skip
    db.session.commit()
    database.session.expire_all()
    assert (order.items[0].title, order.items[0].unit_price_cents) == ("Tarot for Beginners", 1200)


def test_a_wallet_that_cannot_pay_writes_nothing(db, funded, guide):
    poor = funded(1199)
    with pytest.raises(commerce.NotEnoughFunds):
        buying.buy_from_wallet(poor, guide.id, 1, "key-1")
    database.session.rollback()
    assert (_count(Order), _count(DownloadGrant), wallet_of(poor)) == (0, 0, 1199)


def test_physical_goods_take_stock_add_shipping_and_need_an_address(db, funded, crystal):
    cass = funded(10_000)
    with pytest.raises(ShopError) as refused:
        buying.buy_from_wallet(cass, crystal.id, 2, "key-1", buying.Address(name="Cass"))
    assert refused.value.field == "ship_line1"
    database.session.rollback()
    address = buying.Address(name="Cass Moon", line1="1 Main St", city="Springfield", region="IL",
                             postal_code="62701", country="us")  # fmt: skip
    order = buying.buy_from_wallet(cass, crystal.id, 2, "key-2", address)
    db.session.commit()
    assert (order.subtotal_cents, order.shipping_cents, order.total_cents) == (5000, 500, 5500)
    assert (order.fulfilment_status, order.ship_country, order.address_lines[0]) == ("unfulfilled", "US", "Cass Moon")
    assert database.session.get(Product, crystal.id).stock == 1
    assert wallet_of(cass) == 4500 and not order.items[0].grants
    with pytest.raises(ShopError) as sold_out:
        buying.buy_from_wallet(cass, crystal.id, 2, "key-3", address)
    assert (sold_out.value.status, sold_out.value.field, sold_out.value.message) == (
        409, "quantity", "Only 1 left: choose 1 or fewer.",
    )  # fmt: skip
    database.session.rollback()
    assert (database.session.get(Product, crystal.id).stock, wallet_of(cass), _count(Order)) == (1, 4500, 1)


def test_a_short_wallet_buying_what_is_sold_out_hears_sold_out_and_nothing_is_kept(db, funded, crystal):
    """The stock is taken last (the product's row lock held to the commit only), but a product
    already short is refused before anything is written: "Sold out", not the top-up."""
    database.session.execute(sa.update(Product).where(Product.id == crystal.id).values(stock=0))
    database.session.commit()
    poor = funded(100)
    address = buying.Address(name="Cass Moon", line1="1 Main St", city="Springfield", postal_code="62701", country="US")
    with pytest.raises(ShopError) as refused:
        buying.buy_from_wallet(poor, crystal.id, 1, "key-1", address)
    assert (refused.value.status, refused.value.message) == (409, "Sold out.")
    database.session.rollback()
    assert (_count(Order), wallet_of(poor), database.session.get(Product, crystal.id).stock) == (0, 100, 0)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("country", "FR", "We ship to US only."),
        ("postal_code", "", "Enter the ZIP or postal code."),
        ("city", "x" * 81, "Keep the city to 80 characters."),
    ],
)
def test_a_wrong_address_is_refused_on_its_field(db, funded, crystal, field, value, message):
    fields = {"name": "Cass", "line1": "1 Main St", "city": "Springfield", "postal_code": "62701", "country": "US"}
    fields[field] = value
    with pytest.raises(ShopError) as refused:
        buying.buy_from_wallet(funded(), crystal.id, 1, "key-1", buying.Address(**fields))
    assert (refused.value.field, refused.value.message) == (f"ship_{field}", message)


def test_ten_parallel_buyers_of_three_crystals_on_real_connections(db, funded, crystal, run_in_parallel):
    """SH-3: stock 3, 10 buyers at once -> exactly 3 paid orders, stock 0, 3 postings, 7 refusals."""
    buyer_ids = [funded(10_000).id for _ in range(10)]
    address = buying.Address(name="A", line1="1 Main St", city="Town", postal_code="10001", country="US")

    def buy(i):
        buyer = database.session.get(User, buyer_ids[i])
        order = buying.buy_from_wallet(buyer, crystal.id, 1, f"parallel-{i}", address)
        database.session.commit()
        return order.id

    results = run_in_parallel(buy, 10)
    paid = [result for result in results if isinstance(result, int)]
    refusals = [result for result in results if not isinstance(result, int)]
    assert len(paid) == 3 and len(refusals) == 7
    assert all(isinstance(r, ShopError) and r.status == 409 and r.message == "Sold out." for r in refusals)
    database.session.expire_all()
    assert database.session.get(Product, crystal.id).stock == 0
    assert _count(Order) == 3
    assert (
        database.session.scalar(
            sa.select(sa.func.count()).select_from(LedgerTransaction).where(LedgerTransaction.kind == "purchase")
        )
        == 3
    )
    assert revenue() == 3 * 3000
    assert sorted(wallet_of(database.session.get(User, i)) for i in buyer_ids) == [7000] * 3 + [10_000] * 7


def test_the_same_buy_form_sent_at_once_from_two_tabs_makes_one_order(db, funded, guide, run_in_parallel):
    cass_id = funded(10_000).id

    def buy(i):
        order = buying.buy_from_wallet(database.session.get(User, cass_id), guide.id, 1, "same-form")
        database.session.commit()
        return order.id

    results = run_in_parallel(buy, 4)
    assert len(set(results)) == 1 and isinstance(results[0], int)
    database.session.expire_all()
    assert (_count(Order), wallet_of(database.session.get(User, cass_id))) == (1, 8800)


def test_what_is_not_for_sale_or_not_for_them_is_refused(db, funded, admin, make_user, guide):
    cass = funded()
    guide.status = ProductStatus.ARCHIVED
    db.session.commit()
    with pytest.raises(ShopError) as missing:
        buying.buy_from_wallet(cass, guide.id, 1, "key-1")
    assert missing.value.status == 404
    luna = make_user(role="reader", consented=True)
    hers = digital_product(admin, title="Her Own Guide", seller=luna)
    with pytest.raises(ShopError) as own:
        buying.buy_from_wallet(luna, hers.id, 1, "key-2")
    assert own.value.status == 403
    with pytest.raises(ShopError) as not_client:
        buying.buy_from_wallet(admin, hers.id, 1, "key-3")
    assert not_client.value.status == 403
    database.session.rollback()
    assert _count(Order) == 0


# Through the pages ---------------------------------------------------------------------------


def test_buy_now_on_the_product_page_pays_and_shows_the_order(db, funded, guide, writer):
    cass = funded(10_000)
    page = writer(cass)
    html = page.get(f"/shop/{guide.slug}").get_data(as_text=True)
    assert "Pay $12.00 from my wallet" in html and 'name="request_key"' in html
    response = page.post(f"/shop/{guide.slug}/buy", data=buy_form(page))
    assert response.status_code == 303
    order = database.session.execute(sa.select(Order)).scalar_one()
    assert response.headers["Location"] == f"/orders/{order.id}"
    order_page = page.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "Download" in order_page and "5 downloads left" in order_page
    assert f"Order #{order.id}" in page.get("/orders").get_data(as_text=True)


def test_a_short_wallet_gets_the_top_up_form_in_place_and_nothing_is_kept(db, funded, guide, writer):
    page = writer(funded(500))
    response = page.post(f"/shop/{guide.slug}/buy", data=buy_form(page))
    html = response.get_data(as_text=True)
    assert response.status_code == 402
    assert "Your balance is too low for this" in html and "Top up your wallet" in html
    assert 'class="topup-form"' in html and _count(Order) == 0


def test_a_physical_buy_with_a_missing_field_is_answered_on_that_field(db, funded, crystal, writer):
    page = writer(funded())
    response = page.post(f"/shop/{crystal.slug}/buy", data=buy_form(page, quantity="1", **{**ADDRESS, "ship_city": ""}))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="ship_city-error"' in html and "Enter the city." in html
    assert 'value="1 Main St"' in html  # what was typed is kept
    assert _count(Order) == 0


def test_visitors_are_sent_to_sign_in_and_others_orders_are_404(db, app, funded, guide, writer):
    visitor = app.test_client()
    assert visitor.post(f"/shop/{guide.slug}/buy").status_code in (302, 400)
    assert visitor.get("/orders").status_code == 302
    cass, other = funded(), funded()
    order = buying.buy_from_wallet(cass, guide.id, 1, "key-1")
    db.session.commit()
    assert writer(other).get(f"/orders/{order.id}").status_code == 404
