"""community help: the Help page's "The community" section and community posts' Report link

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-06 22:20:00

Where nobody has edited the Help page, it gains "The community" (reading, writing, how often, what
keeps it safe: docs/community.md) before "If you are struggling", and "How do I report
something?" names community threads and replies among what has a Report link.
"""

from alembic import op

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None


def upgrade():
    from soulseer.content_pages import HELP_COMMUNITY, REPORT_LINE, REPORT_LINE_BEFORE, add_help_section
    from soulseer.content_pages import revise_unedited_page

    conn = op.get_bind()
    add_help_section(conn, HELP_COMMUNITY)
    revise_unedited_page(conn, "help", REPORT_LINE_BEFORE, REPORT_LINE)


def downgrade():
    pass  # the Help page's words stay: an admin may have edited them since
