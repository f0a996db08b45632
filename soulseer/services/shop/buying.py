"""Buying from the wallet (next-areas.md SH-3): one product ("Buy now"; a quantity for physical
goods), paid in one database transaction.

In that transaction: the order is made once per buy form (its request key is unique per buyer, so
a double click or a retried request returns the first order), physical stock is taken with one
conditional UPDATE (`stock = stock - q WHERE stock >= q`: under concurrency exactly as many buyers
as there are units succeed), one sale is posted through commerce (`order:<id>:pay`, the reader's
share for a reader's product, all to the platform for its own), and digital items get their
download grants. Any refusal — sold out, not enough money, spending frozen, a wrong address —
raises with nothing kept: the caller rolls back.
"""

import functools
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects.postgresql import insert

from soulseer import clock
from soulseer.extensions import db
from soulseer.ledger import keys
from soulseer.models import FulfilmentStatus, Order, OrderItem, PaymentStatus, Product, ProductKind, Role, User
from soulseer.services import commerce
from soulseer.services.payments import wallet
from soulseer.services.shop import catalogue, downloads
from soulseer.services.shop.errors import ShopError

QUANTITY_MAX = 10
REQUEST_KEY_MAX = 64


def reference(order):
    """The sale of an order, in the ledger."""
    return ("order", order.id if isinstance(order, Order) else order)


@dataclass(frozen=True)
class Address:
    name: str = ""
    line1: str = ""
    line2: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""


# (field, column, label, required, longest)
_ADDRESS_FIELDS = (
    ("name", "ship_name", "the name on the parcel", True, 100),
    ("line1", "ship_line1", "the street address", True, 120),
    ("line2", "ship_line2", "the second address line", False, 120),
    ("city", "ship_city", "the city", True, 80),
    ("region", "ship_region", "the state or region", False, 80),
    ("postal_code", "ship_postal_code", "the ZIP or postal code", True, 20),
)


def shipping_countries():
    return list(current_app.config["SHOP_SHIPPING_COUNTRIES"])


def check_address(address):
    """The order's ship_* columns, or ShopError on the first wrong field (`ship_<field>`)."""
    columns = {}
    for name, column, label, required, longest in _ADDRESS_FIELDS:
        value = " ".join((getattr(address, name) or "").split())
        if required and not value:
            raise ShopError(f"Enter {label}.", field=column)
        if len(value) > longest:
            raise ShopError(f"Keep {label} to {longest} characters.", field=column)
        columns[column] = value or None
    country = (address.country or "").strip().upper()
    if country not in shipping_countries():
        raise ShopError(f"We ship to {', '.join(shipping_countries())} only.", field="ship_country")
    columns["ship_country"] = country
    return columns


def collected_address(address):
    """The ship_* columns of an address Stripe Checkout collected: kept as the buyer gave it (Stripe
    checked it and the money is in), cut to the columns' lengths."""
    columns = {}
    for name, column, _, _, longest in _ADDRESS_FIELDS:
        columns[column] = " ".join(str(getattr(address, name) or "").split())[:longest] or None
    columns["ship_country"] = (address.country or "").strip().upper()[:2] or None
    return columns


def check_quantity(product, text):
    if product.kind == ProductKind.DIGITAL:
        return 1
    text = str(text or "1").strip()
    if not text.isdigit() or not 1 <= int(text) <= QUANTITY_MAX:
        raise ShopError(f"Choose a quantity from 1 to {QUANTITY_MAX}.", field="quantity")
    return int(text)


def _check_buyable(product, buyer):
    if product is None:
        raise ShopError("This product is not for sale.", status=404)
    if product.seller_id == buyer.id:
        raise ShopError("This is your own product.", status=403)
    if buyer.role != Role.CLIENT:
        raise ShopError("Only client accounts buy in the shop: they have a wallet.", status=403)
    return product


def order_or_product_to_buy(product_id, buyer, request_key):
    """In one read: (the order this buy form made already, None) — a double click, a retry — or
    (None, what a purchase needs of the product: a row of id, kind, seller_id, title, price_cents,
    stock and shipping_cents). ShopError if it is not for sale (404) or not for this buyer (403)."""
    row = db.session.execute(
        _buy_read(), {"product_id": product_id, "buyer_id": buyer.id, "request_key": request_key}
    ).first()
    if row is not None and row.order_id is not None:
        return db.session.get(Order, row.order_id), None
    if row is None:  # not for sale (now): the form may still have made its order before
        already = existing_order(buyer, request_key)
        if already is not None:
            return already, None
    return None, _check_buyable(row, buyer)


@functools.cache
def _buy_read():
    """`order_or_product_to_buy`'s statement, built once per process (its construction and cache
    key cost more than running it: docs/benchmarks.md, "The purchase in four statements")."""
    this_form = sa.and_(Order.buyer_id == sa.bindparam("buyer_id"), Order.request_key == sa.bindparam("request_key"))
    return (
        sa.select(
            Order.id.label("order_id"), Product.id, Product.kind, Product.seller_id, Product.title,
            Product.price_cents, Product.stock, Product.shipping_cents,
        )
        .select_from(Product)
        .outerjoin(Order, this_form)
        .where(Product.id == sa.bindparam("product_id"), catalogue.for_sale())
    )  # fmt: skip


def check_request_key(request_key):
    request_key = (request_key or "").strip()
    if not request_key or len(request_key) > REQUEST_KEY_MAX:
        raise ShopError("This form has expired. Reload the page and try again.", status=400)
    return request_key


def existing_order(buyer, request_key):
    return db.session.execute(
        sa.select(Order).filter_by(buyer_id=buyer.id, request_key=request_key)
    ).scalar_one_or_none()


def take_stock(product, quantity):
    """Take `quantity` units or refuse (409): the only way stock goes down. The product's object in
    the session is not updated (its stock is read again after the commit)."""
    left = db.session.execute(_stock_taking(), {"product_id": product.id, "quantity": quantity}).scalar_one_or_none()
    if left is None:
        now = db.session.execute(sa.select(Product.stock).where(Product.id == product.id)).scalar_one()
        raise _short_of_stock(now)
    return left


@functools.cache
def _stock_taking():
    """`take_stock`'s conditional decrement, built once per process (bound product and quantity)."""
    quantity = sa.bindparam("quantity", type_=sa.Integer)
    return (
        sa.update(Product)
        .where(Product.id == sa.bindparam("product_id", type_=sa.Integer), Product.stock >= quantity)
        .values(stock=Product.stock - quantity)
        .returning(Product.stock)
        .execution_options(synchronize_session=False)
    )


def _short_of_stock(left):
    message = "Sold out." if left == 0 else f"Only {left} left: choose {left} or fewer."
    return ShopError(message, field="quantity", status=409)


def put_back_stock(order):
    """The order's physical units go back on sale (a cancelled order, a card payment that never came)."""
    for item in order.items:
        if item.kind == ProductKind.PHYSICAL:
            db.session.execute(
                sa.update(Product).where(Product.id == item.product_id).values(stock=Product.stock + item.quantity)
            )


def place_order(buyer, product, quantity, request_key, payment_method, take_stock_now=True, **columns):
    """The order of this buy form, pending unless `columns` say otherwise, with its item and (for
    physical goods, unless the caller takes it itself at the end: `take_stock_now=False`) its stock
    taken. Returns (order, made): made False when the same form made the order already (a double
    click, a retried request, two tabs at once: orders are unique per buyer and request key).

    The order and its item are written in one statement (`_order_insert`), which returns the Order."""
    physical = product.kind == ProductKind.PHYSICAL
    subtotal = product.price_cents * quantity
    columns.setdefault("payment_status", PaymentStatus.PENDING)
    columns.setdefault("created_at", clock.now())
    values = {
        "buyer_id": buyer.id, "request_key": request_key, "payment_method": payment_method,
        "fulfilment_status": FulfilmentStatus.UNFULFILLED if physical else FulfilmentStatus.NOT_REQUIRED,
        "subtotal_cents": subtotal, "shipping_cents": product.shipping_cents,
        "total_cents": subtotal + product.shipping_cents, **columns,
        "item_product_id": product.id, "item_seller_id": product.seller_id, "item_kind": product.kind,
        "item_title": product.title, "item_unit_price_cents": product.price_cents, "item_quantity": quantity,
    }  # fmt: skip
    order = db.session.execute(_order_insert(tuple(sorted(columns))), values).scalar_one_or_none()
    if order is None:  # the same form, sent twice at once: the other request made the order
        return existing_order(buyer, request_key), False
    if physical and take_stock_now:
        take_stock(product, quantity)
    return order, True


_ORDER_COLUMNS = ("buyer_id", "request_key", "payment_method", "fulfilment_status", "subtotal_cents", "shipping_cents",
                  "total_cents")  # fmt: skip
_ITEM_COLUMNS = ("product_id", "seller_id", "kind", "title", "unit_price_cents", "quantity")


@functools.cache
def _order_insert(more_columns):
    """The order (with `more_columns` besides _ORDER_COLUMNS) and its one item in one statement,
    built once per process per set of columns: the item's INSERT reads the order's id from the
    order's (a WITH); nothing is written when the buyer's request key made an order before. Returns
    the Order (its items are loaded when asked for)."""
    orders, items = Order.__table__, OrderItem.__table__
    made = (
        insert(orders)
        .values({name: sa.bindparam(name, type_=orders.c[name].type) for name in (*_ORDER_COLUMNS, *more_columns)})
        .on_conflict_do_nothing(constraint="uq_orders_buyer_request")
        .returning(*orders.c)
        .cte("made")
    )
    item = (
        insert(items)
        .from_select(
            ["order_id", *_ITEM_COLUMNS, "refunded_cents"],
            sa.select(
                made.c.id,
                *(sa.bindparam(f"item_{name}", type_=items.c[name].type) for name in _ITEM_COLUMNS),
                sa.literal(0),  # refunded_cents: a statement built once takes no Python default
            ),
        )
        .cte("item")
    )
    made_order = sa.orm.aliased(Order, made)
    return sa.select(made_order).add_cte(item).options(sa.orm.lazyload(made_order.items))


def seller_of(seller_id):
    """Who is paid for a product or an order's item (its `seller_id`): its reader, or the platform."""
    return db.session.get(User, seller_id) if seller_id is not None else commerce.PLATFORM


def sale_description(title, quantity):
    return f"Shop: {title}" + (f" × {quantity}" if quantity > 1 else "")


def buy_from_wallet(buyer, product_id, quantity, request_key, address=None):
    """Buy now, paid from the wallet. Returns the paid order (the first one, when this form was
    sent before). Raises ShopError, commerce.NotEnoughFunds (402: offer a top-up) or
    commerce.SpendingFrozen (403); the caller rolls back on any of them and commits otherwise.

    The order is written paid at once (any refusal after it rolls the whole transaction back), the
    sale is posted after the download grants, and the stock is taken last: the product's row lock,
    which every buyer of it waits for, is held from that UPDATE to the commit only, not through the
    posting. A product already short of stock is refused before anything is written, so a short
    wallet still hears "Sold out"."""
    request_key = check_request_key(request_key)
    already, product = order_or_product_to_buy(product_id, buyer, request_key)
    if already is not None:
        return already
    quantity = check_quantity(product, quantity)
    physical = product.kind == ProductKind.PHYSICAL
    shipping = check_address(address or Address()) if physical else {}
    if physical and product.stock < quantity:
        raise _short_of_stock(product.stock)
    order, made = place_order(
        buyer, product, quantity, request_key, "wallet", take_stock_now=False,
        payment_status=PaymentStatus.PAID, paid_at=clock.now(), **shipping,
    )  # fmt: skip
    if not made:
        return order
    if not physical:
        downloads.issue_grants(order)
    # The sale locks the reader's earnings (a reader's product), which all her buyers wait for, so
    # it comes after everything else but the stock, whose lock every buyer of the product waits for.
    commerce.charge(
        buyer, seller_of(product.seller_id), order.total_cents, keys.order_payment(order.id), reference(order),
        sale_description(product.title, quantity),
    )  # fmt: skip
    if physical:
        take_stock(product, quantity)
    wallet.announce_balance(buyer)
    return order
