"""The shop (PRODUCT.md §9; docs/shop.md): products, orders with their items, download grants.

- `Product`: digital (a file in storage) or physical (stock and a flat shipping price), sold by
  the platform (`seller_id` NULL) or by a reader (digital only: a reader never sees an address).
  `stock` is NULL for digital goods and never below zero (a CHECK: the conditional decrement of a
  purchase is the only way down). Moderatable, like everything people write.
- `Order`: one purchase ("Buy now": one product, a quantity for physical goods). Payment and
  fulfilment are separate states (next-areas.md SH-2). `request_key` comes from the buy form, so
  a double click or a retried request makes one order (UNIQUE per buyer).
- `OrderItem`: what was bought, with the title and price as they were (a later edit of the
  product never changes an order).
- `DownloadGrant`: the right to download a paid digital item: `allowed` downloads within 24 h of
  the first (the window starts at the first download, never at purchase). Counted by the server.

The rules live in soulseer/services/shop/.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from soulseer.extensions import db
from soulseer.models.base import created_at_column, updated_at_column
from soulseer.models.moderation import Moderatable, moderatable_check


class ProductKind(enum.StrEnum):
    DIGITAL = "digital"
    PHYSICAL = "physical"


class ProductStatus(enum.StrEnum):
    DRAFT = "draft"  # being prepared; only its seller and admins see it
    PENDING = "pending"  # a reader's product waiting for an admin's approval
    PUBLISHED = "published"  # in the catalogue, for sale
    REJECTED = "rejected"  # an admin refused a reader's product (the reason says why)
    ARCHIVED = "archived"  # no longer for sale; orders keep pointing at it


class PaymentStatus(enum.StrEnum):
    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"


class FulfilmentStatus(enum.StrEnum):
    NOT_REQUIRED = "not_required"  # digital: delivered by download
    UNFULFILLED = "unfulfilled"  # physical, paid, waiting to be shipped
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


def _known(column, values):
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class Product(Moderatable, db.Model):
    __tablename__ = "products"
    __table_args__ = (
        sa.CheckConstraint(_known("kind", ProductKind), name="kind_known"),
        sa.CheckConstraint(_known("status", ProductStatus), name="status_known"),
        sa.CheckConstraint("price_cents BETWEEN 100 AND 100000", name="price_range"),
        sa.CheckConstraint("stock >= 0", name="stock_not_negative"),
        sa.CheckConstraint("shipping_cents >= 0", name="shipping_not_negative"),
        # Physical goods have stock and are the platform's; digital goods have no stock.
        sa.CheckConstraint("(kind = 'physical') = (stock IS NOT NULL)", name="stock_for_physical"),
        sa.CheckConstraint("kind = 'digital' OR seller_id IS NULL", name="physical_by_platform"),
        moderatable_check(),
        sa.Index("ix_products_catalogue", "status", "created_at"),
        # The catalogue's order (newest first) over what is for sale: a page reads its own rows only.
        sa.Index(
            "ix_products_for_sale",
            "published_at",
            "id",
            postgresql_where=sa.text("status = 'published' AND hidden_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(90), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    status: Mapped[str] = mapped_column(sa.String(16), default=ProductStatus.DRAFT, server_default="draft")
    seller_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    category: Mapped[str] = mapped_column(sa.String(30), index=True)
    summary: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    description: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    description_html: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    price_cents: Mapped[int] = mapped_column(sa.Integer)
    stock: Mapped[int | None] = mapped_column(sa.Integer)
    shipping_cents: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    # The digital file, in storage under products/<id>/<random>/<safe name> (never public).
    file_key: Mapped[str | None] = mapped_column(sa.String(255))
    file_name: Mapped[str | None] = mapped_column(sa.String(160))
    file_type: Mapped[str | None] = mapped_column(sa.String(100))
    file_size: Mapped[int | None] = mapped_column(sa.BigInteger)
    # The picture's storage prefix (shop/<id>/<random>): re-encoded sizes, like reader photos.
    image_prefix: Mapped[str | None] = mapped_column(sa.String(120))
    featured: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    review_note: Mapped[str | None] = mapped_column(sa.String(500))  # why an admin rejected it
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()
    published_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    seller = relationship("User", foreign_keys="Product.seller_id")

    @property
    def digital(self):
        return self.kind == ProductKind.DIGITAL

    @property
    def for_sale(self):
        return self.status == ProductStatus.PUBLISHED and self.visible

    @property
    def sold_out(self):
        return self.stock is not None and self.stock <= 0

    def __repr__(self):
        return f"<Product {self.id} {self.slug}>"


class Order(db.Model):
    __tablename__ = "orders"
    __table_args__ = (
        sa.CheckConstraint(_known("payment_status", PaymentStatus), name="payment_status_known"),
        sa.CheckConstraint(_known("fulfilment_status", FulfilmentStatus), name="fulfilment_status_known"),
        sa.CheckConstraint("payment_method IN ('wallet', 'card')", name="payment_method_known"),
        sa.CheckConstraint("total_cents = subtotal_cents + shipping_cents", name="total_adds_up"),
        sa.UniqueConstraint("buyer_id", "request_key", name="uq_orders_buyer_request"),
        sa.Index("ix_orders_buyer", "buyer_id", "created_at"),
        sa.Index("ix_orders_to_ship", "fulfilment_status", "paid_at"),
        sa.Index(
            "ix_orders_checkout_waiting",
            "checkout_expires_at",
            postgresql_where=sa.text("payment_status = 'pending' AND payment_method = 'card'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    request_key: Mapped[str] = mapped_column(sa.String(64))
    payment_method: Mapped[str] = mapped_column(sa.String(8))
    payment_status: Mapped[str] = mapped_column(sa.String(20), default=PaymentStatus.PENDING)
    fulfilment_status: Mapped[str] = mapped_column(sa.String(20))
    subtotal_cents: Mapped[int] = mapped_column(sa.Integer)
    shipping_cents: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    total_cents: Mapped[int] = mapped_column(sa.Integer)
    created_at: Mapped[datetime] = created_at_column()
    paid_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Where a physical order goes (typed at a wallet purchase); scrubbed when the buyer deletes
    # their account, like the rest of their personal data.
    ship_name: Mapped[str | None] = mapped_column(sa.String(100))
    ship_line1: Mapped[str | None] = mapped_column(sa.String(120))
    ship_line2: Mapped[str | None] = mapped_column(sa.String(120))
    ship_city: Mapped[str | None] = mapped_column(sa.String(80))
    ship_region: Mapped[str | None] = mapped_column(sa.String(80))
    ship_postal_code: Mapped[str | None] = mapped_column(sa.String(20))
    ship_country: Mapped[str | None] = mapped_column(sa.String(2))
    carrier: Mapped[str | None] = mapped_column(sa.String(60))
    tracking_number: Mapped[str | None] = mapped_column(sa.String(80))
    shipped_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Paid by card (Stripe Checkout): the session, the page to pay on until it expires (the stock
    # reserved for the order goes back then), and the PaymentIntent that paid (refunds find it).
    checkout_session_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    checkout_url: Mapped[str | None] = mapped_column(sa.String(1000))
    checkout_expires_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    payment_intent_id: Mapped[str | None] = mapped_column(sa.String(255), index=True)

    buyer = relationship("User", foreign_keys="Order.buyer_id")
    items = relationship("OrderItem", back_populates="order", order_by="OrderItem.id", lazy="selectin")

    @property
    def paid(self):
        return self.payment_status in (PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED)

    @property
    def physical(self):
        return self.fulfilment_status != FulfilmentStatus.NOT_REQUIRED

    @property
    def address_lines(self):
        """The shipping address as it is printed on a parcel."""
        city = " ".join(part for part in (self.ship_city, self.ship_region, self.ship_postal_code) if part)
        lines = (self.ship_name, self.ship_line1, self.ship_line2, city, self.ship_country)
        return [line for line in lines if line]

    def __repr__(self):
        return f"<Order {self.id} {self.payment_status}/{self.fulfilment_status}>"


class OrderItem(db.Model):
    __tablename__ = "order_items"
    __table_args__ = (
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("unit_price_cents > 0", name="price_positive"),
        sa.CheckConstraint("refunded_cents >= 0", name="refunded_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id", ondelete="RESTRICT"), index=True)
    seller_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    title: Mapped[str] = mapped_column(sa.String(120))
    unit_price_cents: Mapped[int] = mapped_column(sa.Integer)
    quantity: Mapped[int] = mapped_column(sa.Integer, default=1)
    refunded_cents: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")

    order = relationship("Order", back_populates="items")
    product = relationship("Product")
    seller = relationship("User", foreign_keys="OrderItem.seller_id")
    grants = relationship("DownloadGrant", order_by="DownloadGrant.id", lazy="selectin")

    @property
    def line_cents(self):
        return self.unit_price_cents * self.quantity

    @property
    def grant(self):
        """The grant in force (an admin's fresh grant replaces the earlier one), or None."""
        live = [grant for grant in self.grants if grant.revoked_at is None]
        return live[-1] if live else None


class DownloadGrant(db.Model):
    __tablename__ = "download_grants"
    __table_args__ = (
        sa.CheckConstraint("used >= 0 AND used <= allowed", name="used_within_allowed"),
        # At most one grant in force per item: an admin's fresh grant revokes the earlier one.
        sa.Index(
            "uq_download_grants_live", "order_item_id", unique=True, postgresql_where=sa.text("revoked_at IS NULL")
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_item_id: Mapped[int] = mapped_column(sa.ForeignKey("order_items.id", ondelete="CASCADE"), index=True)
    allowed: Mapped[int] = mapped_column(sa.Integer)
    used: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = created_at_column()
    first_used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Set at the first download (the window starts then), never at purchase.
    expires_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    @property
    def left(self):
        return self.allowed - self.used


class OrderRefund(db.Model):
    """A refund of a card-paid order, asked of Stripe by an admin: how much (for one item, or the
    rest of the order), why, from which form, and Stripe's refund. It counts toward what is left to
    refund at once; the ledger moves when Stripe's `charge.refunded` event comes (docs/shop.md)."""

    __tablename__ = "order_refunds"
    __table_args__ = (
        sa.CheckConstraint("amount_cents > 0", name="amount_positive"),
        sa.UniqueConstraint("order_id", "request_key", name="uq_order_refunds_order_request"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("order_items.id", ondelete="CASCADE"))
    amount_cents: Mapped[int] = mapped_column(sa.Integer)
    request_key: Mapped[str] = mapped_column(sa.String(64))
    reason: Mapped[str] = mapped_column(sa.String(500))
    admin_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    stripe_refund_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    created_at: Mapped[datetime] = created_at_column()
