"""A visitor on a phone opens SoulSeer: brand fonts and colours, no console errors, no CSP violations."""

import re

import pytest
from playwright.sync_api import expect

from soulseer.content_pages import CONTENT_PAGES
from soulseer.services.core import content
from tests.e2e.conftest import PHONE, close_context


@pytest.fixture
def pages_seeded(db):
    content.seed_pages(CONTENT_PAGES)


def test_home_page_on_a_phone(page, screenshot):
    page.goto("/")
    expect(page.get_by_role("heading", name="SoulSeer", level=1)).to_be_visible()
    expect(page.get_by_text("A Community of Gifted Psychics").first).to_be_visible()
    expect(page.get_by_text("No readers are online right now.")).to_be_visible()

    page.evaluate("document.fonts.ready")
    loaded = page.evaluate("[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)")
    assert any("Alex Brush" in family for family in loaded)
    assert any("Playfair Display" in family for family in loaded)
    heading = page.get_by_role("heading", name="SoulSeer", level=1)
    assert heading.evaluate("e => getComputedStyle(e).color") == "rgb(255, 105, 180)"
    assert "Alex Brush" in heading.evaluate("e => getComputedStyle(e).fontFamily")
    body = page.locator("body")
    assert body.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(10, 10, 15)"
    assert "Playfair Display" in body.evaluate("e => getComputedStyle(e).fontFamily")
    assert page.evaluate("typeof htmx !== 'undefined' && htmx.version.startsWith('2.0')")
    assert page.evaluate("htmx.config.allowEval === false && htmx.config.includeIndicatorStyles === false")

    nav = page.get_by_role("navigation", name="Main (mobile)")
    expect(nav).to_be_visible()
    box = nav.get_by_role("link", name="Home").bounding_box()
    assert box["height"] >= 44
    screenshot(page, "home-390")
    assert page.watched.problems() == []


def test_footer_reaches_every_content_page(page, pages_seeded):
    page.goto("/")
    footer = page.get_by_role("navigation", name="About SoulSeer")
    for slug, label in content.FOOTER_PAGES:
        expect(footer.get_by_role("link", name=label)).to_have_attribute("href", f"/pages/{slug}")
    footer.get_by_role("link", name="Disclaimer").click()
    expect(page).to_have_url(re.compile(r"/pages/disclaimer$"))
    expect(page.get_by_role("heading", name="Disclaimer")).to_be_visible()
    expect(page.get_by_text("entertainment purposes only").first).to_be_visible()
    assert page.watched.problems() == []


def test_keyboard_user_can_skip_to_content(page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


@pytest.mark.parametrize("width", [768, 1280])
def test_layout_at_tablet_and_desktop(browser, live_server, screenshot, width):
    context = browser.new_context(viewport={"width": width, "height": PHONE["height"]}, base_url=live_server.url)
    page = context.new_page()
    page.goto("/")
    mobile_nav = page.get_by_role("navigation", name="Main (mobile)")
    top_nav = page.get_by_role("navigation", name="Main", exact=True)
    if width >= 1280:
        expect(top_nav).to_be_visible()
        expect(mobile_nav).to_be_hidden()
    else:
        expect(mobile_nav).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")
    assert overflow is False
    screenshot(page, f"home-{width}")
    close_context(context)


@pytest.mark.parametrize("role", ["client", "reader"])
def test_a_signed_in_header_fits_from_1024_pixels(browser, live_server, make_user, role):
    """A signed-in person's links, balance, bell and menu: nothing runs off the side (the account
    menu once sat past the right edge from 1024 to about 1360 px), and every link of the navigation
    on show (the bottom bar below 1280 px, the header's from 1280) and the menu are within the screen."""
    from tests.e2e.conftest import account, sign_in

    account(make_user, role, f"wide-{role}@example.test", "Wide Header")
    for width, name in ((1024, "Main (mobile)"), (1100, "Main (mobile)"), (1280, "Main"), (1366, "Main")):
        context = browser.new_context(viewport={"width": width, "height": 800}, base_url=live_server.url)
        page = context.new_page()
        sign_in(page, f"wide-{role}@example.test")
        assert page.evaluate("document.documentElement.scrollWidth") == width
        nav = page.get_by_role("navigation", name=name, exact=True)
        expect(nav).to_be_visible()
        for item in [*nav.get_by_role("link").all(), page.locator(".account-menu summary")]:
            box = item.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, (width, item, box)
        close_context(context)
