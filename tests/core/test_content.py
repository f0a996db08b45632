"""Content pages: stored in the database, Markdown rendered through a sanitiser, seeded once."""

import pytest

from soulseer.content_pages import CONTENT_PAGES, billing_rules
from soulseer.models import ContentPage
from soulseer.services.core import content, content_editing


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


def test_how_billing_works_states_the_rules_with_the_sites_settings(client, seeded, app):
    html = client.get("/pages/how-billing-works").get_data(as_text=True)
    assert "<h1>How billing works</h1>" in html
    body = html.split('<div class="prose">', 1)[1].split("</div>", 1)[0]
    for text in [
        "<strong>by the second</strong>",
        "Readers keep 70% of what you pay",
        "at least <strong>3 minutes</strong> at the reader's price",
        "(at $1.50 a minute, $4.50)",
        "with a cap of $20.00 at $1.50 a minute, after 13 minutes ($19.50)",
        "The reader has <strong>60 seconds</strong> to accept",
        "not both there within 2 minutes, the reading is cancelled",
        "When less than <strong>2 minutes</strong> of balance are left",
        "<strong>top up inside the room</strong>",
        "you have <strong>2 minutes</strong> to top up",
        "no sign of life for 25 seconds",
        "paused or reconnecting is <strong>never charged</strong>",
        "not both back within <strong>2 minutes</strong>, it ends",
        "A reading of 2 minutes 30 seconds at $1.50 a minute costs $3.75.",  # ceil(150 × 150 / 60) cents
        "set aside but not used goes <strong>straight back to your wallet</strong>",
        "within <strong>14 days</strong>: 1 to 5 stars and up to 2,000 characters",
        'href="/pages/refund-policy"',
        "$10, $25, $50, $100, or any amount from $5 to $1,000",
    ]:
        assert text in body, text
    assert '<a href="/pages/how-billing-works">How billing works</a>' in html  # in the footer


def test_the_billing_page_is_written_from_the_configuration(app):
    config = dict(
        app.config,
        READER_SHARE_PERCENT=75,
        MINUTES_NEEDED_TO_START=4,
        REQUEST_TIMEOUT_SECONDS=90,
        JOIN_TIMEOUT_SECONDS=180,
        LOW_BALANCE_MINUTES=5,
        FUNDS_PAUSE_SECONDS=300,
        DISCONNECTED_AFTER_SECONDS=30,
        RECONNECT_GRACE_SECONDS=240,
        REVIEW_WINDOW_DAYS=30,
        REVIEW_MAX_CHARS=1000,
        TOPUP_PRESETS_CENTS=[2000],
        TOPUP_MIN_CENTS=1000,
        TOPUP_MAX_CENTS=50000,
    )
    text = billing_rules(config)
    for expected in [
        "Readers keep 75%",
        "at least **4 minutes** at the reader's price to start a reading (at $1.50 a minute, $6.00)",
        "**90 seconds** to accept",
        "within 3 minutes, the reading is cancelled",
        "less than **5 minutes** of balance",
        "you have **5 minutes** to top up",
        "sign of life for 30 seconds",
        "within **4 minutes**, it ends",
        "within **30 days**: 1 to 5 stars and up to 1,000 characters",
        "Top up from your wallet: $20, or any amount from $10 to $500.",
    ]:
        assert expected in text, expected
    assert "\n  " not in text  # one line per paragraph and item, for the admin's editor


def test_the_billing_page_is_seeded_once_and_editable(db, app):
    content.seed_pages(CONTENT_PAGES)
    page = content.get_page("how-billing-works")
    assert page.title == "How billing works" and "by the second" in page.body_markdown
    assert content.seed_pages(CONTENT_PAGES) == []  # idempotent: `make run` and `seed-content` again
    assert "how-billing-works" in content_editing.EDITABLE
