"""shop catalogue index: the catalogue's order over the products for sale

Revision ID: 0034
Revises: 0033_b
Create Date: 2026-12-06 07:05:00

/shop lists what is for sale newest first (published_at, id); with 5,000 products PostgreSQL read
and sorted them all for each page (18 ms). This partial index lets a page read its 24 rows in
order (docs/benchmarks.md).
"""

import sqlalchemy as sa
from alembic import op

revision = "0034"
down_revision = "0033_b"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_products_for_sale",
        "products",
        ["published_at", "id"],
        postgresql_where=sa.text("status = 'published' AND hidden_at IS NULL"),
    )


def downgrade():
    op.drop_index("ix_products_for_sale", table_name="products")
