"""The crisis banner and the rules notice, as the pages that include them render them."""

import html as html_text
import re

import pytest

from soulseer.services.moderation.screening import CONTACT_RULES_NOTICE, CRISIS_BANNER_TEXT, Detector, screen


@pytest.fixture
def render(app, app_context):
    def render(name, **context):
        return app.jinja_env.get_template(f"partials/{name}").render(**context)

    return render


def _text(html):
    """What a reader sees: tags dropped, entities decoded, whitespace collapsed."""
    return " ".join(html_text.unescape(re.sub(r"<[^>]+>", " ", html)).split()).replace(" .", ".")


def test_the_crisis_banner_shows_f10s_text_and_links(render):
    html = render("_crisis_banner.html")
    assert 'role="alert"' in html
    assert CRISIS_BANNER_TEXT in _text(html)
    assert "<strong>988</strong>" in html and "<strong>988lifeline.org</strong>" in html
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert hrefs == ["tel:988", "sms:988", "https://988lifeline.org/chat", "tel:911", "https://findahelpline.com"]
    # Dismissible without script (the CSP forbids inline script and style): an open <details>.
    assert "<details" in html and " open>" in html and "<summary" in html
    assert "<script" not in html and "style=" not in html and not re.search(r"<[^>]*\son\w+=", html)


def test_the_notice_tells_the_writer_the_contact_rules(render):
    html = render("_screening_notice.html", hits=screen("pay me on venmo, or text me at 555-123-4567"))
    text = _text(html)
    assert 'role="status"' in html
    assert CONTACT_RULES_NOTICE in text
    for detector in (Detector.PAYMENT_APP, Detector.MESSAGING_APP, Detector.PHONE):
        assert text.count(detector.explanation) == 1
    assert "a moderator will look at it" in text


def test_the_notice_explains_guarantees_without_the_contact_rules(render):
    text = _text(render("_screening_notice.html", hits=screen("100% accurate, I can remove your curse for $200")))
    assert CONTACT_RULES_NOTICE not in text
    assert Detector.GUARANTEE.explanation in text and Detector.CURSE_REMOVAL.explanation in text


@pytest.mark.parametrize("text", ["I want to end my life", "the tower card means change"])
def test_no_notice_for_self_harm_or_clean_text(render, text):
    # Self-harm language gets the crisis banner, never a rules notice.
    assert render("_screening_notice.html", hits=screen(text)).strip() == ""
