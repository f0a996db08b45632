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


def product_to_buy(product_id, buyer):
    """The product, for sale and for this buyer, or ShopError (404 not for sale, 403 not for them)."""
    product = db.session.execute(
        sa.select(Product).where(Product.id == product_id, catalogue.for_sale())
    ).scalar_one_or_none()
    if product is None:
        raise ShopError("This product is not for sale.", status=404)
    if product.seller_id == buyer.id:
        raise ShopError("This is your own product.", status=403)
    if buyer.role != Role.CLIENT:
        raise ShopError("Only client accounts buy in the shop: they have a wallet.", status=403)
    return product


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
    """Take `quantity` units or refuse (409): the only way stock goes down."""
    left = db.session.execute(
        sa.update(Product)
        .where(Product.id == product.id, Product.stock >= quantity)
        .values(stock=Product.stock - quantity)
        .returning(Product.stock)
    ).scalar_one_or_none()
    if left is None:
        now = db.session.execute(sa.select(Product.stock).where(Product.id == product.id)).scalar_one()
        raise _short_of_stock(now)
    return left


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
    click, a retried request, two tabs at once: orders are unique per buyer and request key)."""
    physical = product.kind == ProductKind.PHYSICAL
    subtotal = product.price_cents * quantity
    columns.setdefault("payment_status", PaymentStatus.PENDING)
    statement = (
        insert(Order)
        .values(
            buyer_id=buyer.id, request_key=request_key, payment_method=payment_method,
            fulfilment_status=FulfilmentStatus.UNFULFILLED if physical else FulfilmentStatus.NOT_REQUIRED,
            subtotal_cents=subtotal, shipping_cents=product.shipping_cents,
            total_cents=subtotal + product.shipping_cents, **columns,
        )
        .on_conflict_do_nothing(constraint="uq_orders_buyer_request")
        .returning(Order)
    )  # fmt: skip
    order = db.session.execute(statement).scalar_one_or_none()  # the Order itself: no second read
    if order is None:  # the same form, sent twice at once: the other request made the order
        return existing_order(buyer, request_key), False
    order.items.append(OrderItem(
        product_id=product.id, seller_id=product.seller_id, kind=product.kind,
        title=product.title, unit_price_cents=product.price_cents, quantity=quantity,
    ))  # fmt: skip
    if physical and take_stock_now:
        take_stock(product, quantity)
    return order, True


def seller_of(item):
    """Who is paid for an order's item: its reader, or the platform."""
    return db.session.get(User, item.seller_id) if item.seller_id is not None else commerce.PLATFORM


def sale_description(item):
    return f"Shop: {item.title}" + (f" × {item.quantity}" if item.quantity > 1 else "")


def buy_from_wallet(buyer, product_id, quantity, request_key, address=None):
    """Buy now, paid from the wallet. Returns the paid order (the first one, when this form was
    sent before). Raises ShopError, commerce.NotEnoughFunds (402: offer a top-up) or
    commerce.SpendingFrozen (403); the caller rolls back on any of them and commits otherwise.

    The order is written paid at once (any refusal after it rolls the whole transaction back), and
    the stock is taken last: the product's row lock, which every buyer of it waits for, is held
    from that UPDATE to the commit only, not through the posting. A product already short of
    stock is refused before anything is written, so a short wallet still hears "Sold out"."""
    request_key = check_request_key(request_key)
    already = existing_order(buyer, request_key)
    if already is not None:
        return already
    product = product_to_buy(product_id, buyer)
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
    [item] = order.items
    commerce.charge(
        buyer, seller_of(item), order.total_cents, keys.order_payment(order.id), reference(order),
        sale_description(item),
    )  # fmt: skip
    if physical:
        take_stock(product, quantity)
    else:
        downloads.issue_grants(order)
    wallet.announce_balance(buyer)
    return order
