"""shop help: the Help page's "The shop" section and the Refund policy's shop orders

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 03:40:00

Added to the Help page and the Refund policy where nobody has edited them (docs/shop.md), as
0016_b did for messages: an admin's own words are never overwritten.
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

HELP_ANCHOR = "## If you are struggling"
REFUND_ANCHOR = "- **Wallet top-ups**"


def _unedited(conn, slug):
    return conn.execute(
        sa.text("SELECT body_markdown FROM content_pages WHERE slug = :slug AND updated_by_id IS NULL AND version = 1"),
        {"slug": slug},
    ).scalar_one_or_none()


def _insert_before(slug, anchor, text, already):
    conn = op.get_bind()
    body = _unedited(conn, slug)
    if body is not None and anchor in body and already not in body:
        body = body.replace(anchor, text + ("\n" if slug == "help" else "") + anchor, 1)
        conn.execute(
            sa.text("UPDATE content_pages SET body_markdown = :body WHERE slug = :slug"), {"body": body, "slug": slug}
        )


def upgrade():
    from soulseer.content_pages import HELP_SHOP, REFUND_SHOP

    _insert_before("help", HELP_ANCHOR, HELP_SHOP, "## The shop")
    _insert_before("refund-policy", REFUND_ANCHOR, REFUND_SHOP, "**Shop orders**")


def downgrade():
    pass  # the texts stay: removing words someone may have read since would help nobody
