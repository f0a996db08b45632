"""shop help cards: the Help page's "The shop" and the Refund policy's shop orders say cards

Revision ID: 0033_b
Revises: 0033_a
Create Date: 2026-12-06 06:50:00

Paying by card (docs/shop.md): the Help section's wallet-only text and the Refund policy's "Refunds
go back to your wallet" are replaced where nobody has edited those pages; an admin's own words are
never overwritten.
"""

from alembic import op

revision = "0033_b"
down_revision = "0033_a"
branch_labels = None
depends_on = None


def upgrade():
    from soulseer.content_pages import (
        HELP_SHOP,
        HELP_SHOP_WALLET_ONLY,
        REFUND_SHOP,
        REFUND_SHOP_WALLET_ONLY,
        revise_unedited_page,
    )

    conn = op.get_bind()
    revise_unedited_page(conn, "help", HELP_SHOP_WALLET_ONLY, HELP_SHOP, unless=HELP_SHOP)
    revise_unedited_page(conn, "refund-policy", REFUND_SHOP_WALLET_ONLY, REFUND_SHOP, unless=REFUND_SHOP)


def downgrade():
    pass  # the texts stay: removing words someone may have read since would help nobody
