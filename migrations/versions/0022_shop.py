"""shop: products, orders and their items, download grants

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 02:46:46

The shop of PRODUCT.md §9 (docs/shop.md). Stock never goes below zero and belongs to physical
goods only, which only the platform sells; an order's total is its subtotal plus shipping; one
order per buy form (buyer, request key); at most one download grant in force per item.
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("buyer_id", sa.Integer(), nullable=False),
        sa.Column("request_key", sa.String(length=64), nullable=False),
        sa.Column("payment_method", sa.String(length=8), nullable=False),
        sa.Column("payment_status", sa.String(length=20), nullable=False),
        sa.Column("fulfilment_status", sa.String(length=20), nullable=False),
        sa.Column("subtotal_cents", sa.Integer(), nullable=False),
        sa.Column("shipping_cents", sa.Integer(), server_default="0", nullable=False),
        sa.Column("total_cents", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ship_name", sa.String(length=100), nullable=True),
        sa.Column("ship_line1", sa.String(length=120), nullable=True),
        sa.Column("ship_line2", sa.String(length=120), nullable=True),
        sa.Column("ship_city", sa.String(length=80), nullable=True),
        sa.Column("ship_region", sa.String(length=80), nullable=True),
        sa.Column("ship_postal_code", sa.String(length=20), nullable=True),
        sa.Column("ship_country", sa.String(length=2), nullable=True),
        sa.Column("carrier", sa.String(length=60), nullable=True),
        sa.Column("tracking_number", sa.String(length=80), nullable=True),
        sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "fulfilment_status IN ('not_required', 'unfulfilled', 'shipped', 'delivered', 'cancelled')",
            name=op.f("ck_orders_fulfilment_status_known"),
        ),
        sa.CheckConstraint("payment_method IN ('wallet', 'card')", name=op.f("ck_orders_payment_method_known")),
        sa.CheckConstraint(
            "payment_status IN ('pending', 'paid', 'failed', 'refunded', 'partially_refunded')",
            name=op.f("ck_orders_payment_status_known"),
        ),
        sa.CheckConstraint("total_cents = subtotal_cents + shipping_cents", name=op.f("ck_orders_total_adds_up")),
        sa.ForeignKeyConstraint(["buyer_id"], ["users.id"], name=op.f("fk_orders_buyer_id_users"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("buyer_id", "request_key", name="uq_orders_buyer_request"),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_buyer", ["buyer_id", "created_at"], unique=False)
        batch_op.create_index("ix_orders_to_ship", ["fulfilment_status", "paid_at"], unique=False)

    op.create_table(
        "products",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=90), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="draft", nullable=False),
        sa.Column("seller_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("summary", sa.String(length=200), server_default="", nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("description_html", sa.Text(), server_default="", nullable=False),
        sa.Column("price_cents", sa.Integer(), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=True),
        sa.Column("shipping_cents", sa.Integer(), server_default="0", nullable=False),
        sa.Column("file_key", sa.String(length=255), nullable=True),
        sa.Column("file_name", sa.String(length=160), nullable=True),
        sa.Column("file_type", sa.String(length=100), nullable=True),
        sa.Column("file_size", sa.BigInteger(), nullable=True),
        sa.Column("image_prefix", sa.String(length=120), nullable=True),
        sa.Column("featured", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("review_note", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden_reason", sa.String(length=500), nullable=True),
        sa.Column("hidden_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("(kind = 'physical') = (stock IS NOT NULL)", name=op.f("ck_products_stock_for_physical")),
        sa.CheckConstraint("kind = 'digital' OR seller_id IS NULL", name=op.f("ck_products_physical_by_platform")),
        sa.CheckConstraint("kind IN ('digital', 'physical')", name=op.f("ck_products_kind_known")),
        sa.CheckConstraint(
            "status IN ('draft', 'pending', 'published', 'rejected', 'archived')", name=op.f("ck_products_status_known")
        ),
        sa.CheckConstraint("(hidden_at IS NULL) = (hidden_reason IS NULL)", name=op.f("ck_products_hidden_has_reason")),
        sa.CheckConstraint("price_cents BETWEEN 100 AND 100000", name=op.f("ck_products_price_range")),
        sa.CheckConstraint("shipping_cents >= 0", name=op.f("ck_products_shipping_not_negative")),
        sa.CheckConstraint("stock >= 0", name=op.f("ck_products_stock_not_negative")),
        sa.ForeignKeyConstraint(
            ["hidden_by_id"], ["users.id"], name=op.f("fk_products_hidden_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["users.id"], name=op.f("fk_products_seller_id_users"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        sa.UniqueConstraint("slug", name=op.f("uq_products_slug")),
    )
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.create_index("ix_products_catalogue", ["status", "created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_products_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_products_seller_id"), ["seller_id"], unique=False)

    op.create_table(
        "order_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("seller_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("unit_price_cents", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("refunded_cents", sa.Integer(), server_default="0", nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_order_items_quantity_positive")),
        sa.CheckConstraint("refunded_cents >= 0", name=op.f("ck_order_items_refunded_not_negative")),
        sa.CheckConstraint("unit_price_cents > 0", name=op.f("ck_order_items_price_positive")),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_items_order_id_orders"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_order_items_product_id_products"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["users.id"], name=op.f("fk_order_items_seller_id_users"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_items")),
    )
    with op.batch_alter_table("order_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_items_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_order_items_product_id"), ["product_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_order_items_seller_id"), ["seller_id"], unique=False)

    op.create_table(
        "download_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_item_id", sa.Integer(), nullable=False),
        sa.Column("allowed", sa.Integer(), nullable=False),
        sa.Column("used", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("first_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("used >= 0 AND used <= allowed", name=op.f("ck_download_grants_used_within_allowed")),
        sa.ForeignKeyConstraint(
            ["order_item_id"],
            ["order_items.id"],
            name=op.f("fk_download_grants_order_item_id_order_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_download_grants")),
    )
    with op.batch_alter_table("download_grants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_download_grants_order_item_id"), ["order_item_id"], unique=False)
        batch_op.create_index(
            "uq_download_grants_live", ["order_item_id"], unique=True, postgresql_where=sa.text("revoked_at IS NULL")
        )


def downgrade():
    with op.batch_alter_table("download_grants", schema=None) as batch_op:
        batch_op.drop_index("uq_download_grants_live", postgresql_where=sa.text("revoked_at IS NULL"))
        batch_op.drop_index(batch_op.f("ix_download_grants_order_item_id"))

    op.drop_table("download_grants")
    with op.batch_alter_table("order_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_items_seller_id"))
        batch_op.drop_index(batch_op.f("ix_order_items_product_id"))
        batch_op.drop_index(batch_op.f("ix_order_items_order_id"))

    op.drop_table("order_items")
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_products_seller_id"))
        batch_op.drop_index(batch_op.f("ix_products_category"))
        batch_op.drop_index("ix_products_catalogue")

    op.drop_table("products")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_to_ship")
        batch_op.drop_index("ix_orders_buyer")

    op.drop_table("orders")
