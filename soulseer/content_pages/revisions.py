"""What migrations use to change a page's first text on a site where no admin has edited it."""

import sqlalchemy as sa

# Where a migration puts a new Help section: before the closing sections every version of the page ends with.
HELP_CLOSING = "## If you are struggling"


def revise_unedited_page(conn, slug, old, new, *, unless=None):
    """A migration's change to a page's first text: `old` becomes `new` once, on a page no admin has
    edited (still version 1, updated by nobody) that has `old` and not yet `unless`. An edited page
    keeps the admin's words; running the migration again changes nothing."""
    body = conn.execute(
        sa.text("SELECT body_markdown FROM content_pages WHERE slug = :slug AND updated_by_id IS NULL AND version = 1"),
        {"slug": slug},
    ).scalar_one_or_none()
    if body is None or old not in body or (unless is not None and unless in body):
        return
    conn.execute(
        sa.text("UPDATE content_pages SET body_markdown = :body WHERE slug = :slug"),
        {"body": body.replace(old, new, 1), "slug": slug},
    )


def add_help_section(conn, section, *, before=HELP_CLOSING):
    """A migration's new section of an unedited Help page, before the heading `before`, once."""
    heading = section.split("\n", 1)[0]
    revise_unedited_page(conn, "help", before, section + "\n" + before, unless=heading)
