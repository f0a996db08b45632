"""shop help: the Help page's "The shop" section and the Refund policy's shop orders

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 03:40:00

Added to the Help page and the Refund policy where nobody has edited them (docs/shop.md), as
0016_b did for messages: an admin's own words are never overwritten.
"""

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

REFUND_ANCHOR = "- **Wallet top-ups**"


def upgrade():
    from soulseer.content_pages import HELP_SHOP, REFUND_SHOP, add_help_section, revise_unedited_page

    conn = op.get_bind()
    add_help_section(conn, HELP_SHOP)
    revise_unedited_page(conn, "refund-policy", REFUND_ANCHOR, REFUND_SHOP + REFUND_ANCHOR, unless="**Shop orders**")


def downgrade():
    pass  # the texts stay: removing words someone may have read since would help nobody
