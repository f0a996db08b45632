"""Products for the shop's tests (unit and browser): made through the shop's own service, as an
admin (or a reader's product, as a reader will), with a real file in storage."""

import io

from soulseer.extensions import db
from soulseer.models import ProductStatus
from soulseer.services.shop import products

PDF_BYTES = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_upload(data=PDF_BYTES):
    return io.BytesIO(data)


def digital_product(admin, title="Tarot for Beginners", price="12.00", seller=None, category="guides", **fields):
    """A digital product for sale with a small PDF, committed."""
    product = products.create(
        admin,
        products.Details(kind="digital", title=title, category=category, price=price, **fields),
        seller=seller,
        file=pdf_upload(),
        status=ProductStatus.PUBLISHED,
    )
    db.session.commit()
    return product


def physical_product(admin, title="Rose Quartz Point", price="25.00", stock=3, shipping="5.00", **fields):
    """A physical product of the platform's for sale, committed."""
    product = products.create(
        admin,
        products.Details(
            kind="physical", title=title, category="crystals", price=price, stock=str(stock), shipping=shipping,
            **fields,
        ),
        status=ProductStatus.PUBLISHED,
    )  # fmt: skip
    db.session.commit()
    return product


def card_order(buyer, product, quantity=1, key="card-1"):
    """A card order as "Pay by card" makes it: its stock reserved, its checkout open (Stripe's, or
    the TEST one)."""
    from soulseer.services.shop import checkout

    return checkout.start(
        buyer, product.id, str(quantity), key,
        return_url=lambda order: f"http://localhost/orders/{order.id}", cancel_url="http://localhost/shop",
        test_checkout_url=lambda order: f"/orders/{order.id}/test-checkout",
    )  # fmt: skip


# Where Checkout says to ship (collected_information.shipping_details).
ADDRESS = {
    "name": "Nova Lee",
    "address": {"line1": "12 Elm Street", "line2": None, "city": "Portland", "state": "OR",
                "postal_code": "97201", "country": "US"},
}  # fmt: skip


def checkout_session(order, payment_status="paid", payment_intent="pi_card_1", **more):
    """The Checkout Session of a card order as Stripe sends it in its events."""
    return {
        "id": order.checkout_session_id,
        "object": "checkout.session",
        "amount_total": order.total_cents,
        "client_reference_id": str(order.buyer_id),
        "currency": "usd",
        "metadata": {"order_id": str(order.id)},
        "mode": "payment",
        "payment_intent": payment_intent,
        "payment_status": payment_status,
        "status": "complete",
        "collected_information": {"shipping_details": ADDRESS},
        **more,
    }
