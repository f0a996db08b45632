"""Content pages: the fixed set the site links to, Markdown rendering through a sanitiser, seeding."""

import markdown
import nh3
from flask import current_app
from markupsafe import Markup

from soulseer.extensions import db
from soulseer.models import ContentPage

# The pages every visitor can reach from the footer, in footer order (PRODUCT.md §14).
FOOTER_PAGES = [
    ("about", "About"),
    ("help", "Help"),
    ("how-billing-works", "How billing works"),
    ("terms", "Terms"),
    ("privacy", "Privacy"),
    ("refund-policy", "Refund policy"),
    ("reader-agreement", "Reader agreement"),
    ("disclaimer", "Disclaimer"),
    ("community-guidelines", "Community guidelines"),
]

_ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "strong", "em", "blockquote", "code", "pre",
    "ul", "ol", "li", "a",
}  # fmt: skip


def render_markdown(text):
    """Markdown to HTML that is safe to show: anything outside a small tag list is stripped."""
    html = markdown.markdown(text or "", extensions=["sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto", "tel", "sms"},  # tel:/sms: for the crisis lines
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704 (nh3 has sanitised it)


def get_page(slug):
    return db.session.execute(db.select(ContentPage).filter_by(slug=slug)).scalar_one_or_none()


def page_version(slug):
    """A page's version alone (1 when the page does not exist), without loading its text."""
    return db.session.execute(db.select(page_version_clause(slug))).scalar_one()


def page_version_clause(slug):
    """`page_version(slug)` as SQL, to read beside other things in one statement."""
    found = db.select(ContentPage.version).where(ContentPage.slug == slug).scalar_subquery()
    return db.func.coalesce(found, 1)


def first_text(body):
    """A page's first text: Markdown, or a function that writes it from the app's configuration
    (a page whose numbers are settings, like How billing works; soulseer/content_pages/billing.py)."""
    return body(current_app.config) if callable(body) else body


def seed_pages(texts):
    """Create the pages that do not exist yet from {slug: (title, markdown)}; never overwrite edits."""
    existing = set(db.session.execute(db.select(ContentPage.slug)).scalars())
    created = []
    for slug, (title, body) in texts.items():
        if slug not in existing:
            db.session.add(ContentPage(slug=slug, title=title, body_markdown=first_text(body)))
            created.append(slug)
    db.session.commit()
    return created
