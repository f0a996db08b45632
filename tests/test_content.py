"""Content pages: stored in the database, Markdown rendered through a sanitiser, seeded once."""

import pytest

from soulseer.content_pages import CONTENT_PAGES
from soulseer.models import ContentPage
from soulseer.services import content


@pytest.fixture
def seeded(db):
    content.seed_pages(CONTENT_PAGES)


@pytest.mark.parametrize("slug", [slug for slug, _ in content.FOOTER_PAGES])
def test_every_footer_page_renders(client, seeded, slug):
    response = client.get(f"/pages/{slug}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f"<h1>{CONTENT_PAGES[slug][0]}</h1>" in html
    assert f'href="/pages/{slug}"' in html  # the footer links to every page


def test_disclaimer_says_18_plus_and_entertainment(client, seeded):
    html = client.get("/pages/disclaimer").get_data(as_text=True)
    assert "18 or over" in html and "entertainment purposes only" in html


def test_unknown_page_is_404(client, seeded):
    assert client.get("/pages/nope").status_code == 404


def test_markdown_is_sanitised(client, db):
    evil = (
        "# Title\n\nHello <script>alert(1)</script> **bold**\n\n"
        '<img src=x onerror="alert(2)">\n\n[click](javascript:alert(3)) [ok](https://example.com)\n\n'
        '<p style="color:red" onclick="x()">styled</p>'
    )
    db.session.add(ContentPage(slug="evil", title="Evil", body_markdown=evil))
    db.session.commit()
    html = client.get("/pages/evil").get_data(as_text=True)
    body = html.split('<div class="prose">', 1)[1].split("</div>", 1)[0]
    assert "<strong>bold</strong>" in body
    assert "<script" not in body and "alert(1)" not in body
    assert "onerror" not in body and "<img" not in body
    assert "javascript:" not in body
    assert 'href="https://example.com"' in body and 'rel="noopener noreferrer nofollow"' in body
    assert "style=" not in body and "onclick" not in body


def test_seeding_is_idempotent_and_keeps_edits(db):
    assert set(content.seed_pages(CONTENT_PAGES)) == set(CONTENT_PAGES)
    about = content.get_page("about")
    about.body_markdown = "Edited by an admin."
    db.session.commit()
    assert content.seed_pages(CONTENT_PAGES) == []
    assert content.get_page("about").body_markdown == "Edited by an admin."
    assert db.session.query(ContentPage).count() == len(CONTENT_PAGES)
