"""Admins edit the site's pages (About, Help, Terms, ...). Each save is a new version, audit-logged.

A new version of the Terms makes every user accept them again at their next request (the consent
gate compares the version they accepted with the current one).
"""

from soulseer.content_pages import CONTENT_PAGES
from soulseer.extensions import db
from soulseer.models import ContentPage, User
from soulseer.services.accounts import ChangeRefused
from soulseer.services.core import audit, content

TITLE_MAX = 120
BODY_MAX = 50_000
EDITABLE = dict(content.FOOTER_PAGES)


def pages():
    """The editable pages in footer order: (slug, label, page or None when not created yet, name of
    the admin who saved it last or None)."""
    found = {page.slug: page for page in db.session.execute(db.select(ContentPage)).scalars()}
    editor_ids = {page.updated_by_id for page in found.values() if page.updated_by_id}
    names = dict(db.session.execute(db.select(User.id, User.display_name).where(User.id.in_(editor_ids))).all())
    return [
        (slug, label, found.get(slug), names.get(found[slug].updated_by_id) if slug in found else None)
        for slug, label in content.FOOTER_PAGES
    ]


def page_or_default(slug):
    """The stored page, or an unsaved one with the first text (a page `seed-content` has not made)."""
    if slug not in EDITABLE:
        return None
    page = content.get_page(slug)
    if page is None:
        title, body = CONTENT_PAGES.get(slug, (EDITABLE[slug], ""))
        page = ContentPage(slug=slug, title=title, body_markdown=content.first_text(body), version=0)
    return page


def save(admin, slug, title, body_markdown, based_on_version):
    """Store a new version. Refused when someone saved since the editor opened (`based_on_version`),
    and when nothing changed (a version must mean a change: a new Terms version asks everyone)."""
    if slug not in EDITABLE:
        raise ChangeRefused("That page does not exist.")
    title = (title or "").strip()
    body_markdown = (body_markdown or "").replace("\r\n", "\n").strip() + "\n"
    if not title or len(title) > TITLE_MAX:
        raise ChangeRefused(f"Enter a title of at most {TITLE_MAX} characters.", "title")
    if not body_markdown.strip() or len(body_markdown) > BODY_MAX:
        raise ChangeRefused(f"Write the page (at most {BODY_MAX:,} characters).", "body_markdown")
    page = db.session.execute(
        db.select(ContentPage).filter_by(slug=slug).with_for_update().execution_options(populate_existing=True)
    ).scalar_one_or_none()
    current_version = page.version if page else 0
    if based_on_version != current_version:
        raise ChangeRefused(
            "Someone saved this page after you opened it. Your text is below: copy it, reload the page, "
            "and apply your change to the newest version."
        )
    if page is not None and page.title == title and page.body_markdown.strip() == body_markdown.strip():
        raise ChangeRefused("Nothing changed, so no new version was saved.")
    before = None
    if page is None:
        page = ContentPage(slug=slug, title=title, body_markdown=body_markdown, version=1, updated_by_id=admin.id)
        db.session.add(page)
    else:
        before = {"title": page.title, "version": page.version, "body_markdown": page.body_markdown}
        page.title = title
        page.body_markdown = body_markdown
        page.version += 1
        page.updated_by_id = admin.id
    db.session.flush()
    after = {"title": page.title, "version": page.version, "body_markdown": page.body_markdown}
    audit.record(admin, "content_page.updated", page, before, after)
    return page
