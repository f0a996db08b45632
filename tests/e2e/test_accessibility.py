"""Every page, for every role, at 390×844 and 1280×800: axe-core (WCAG 2.2 AA and best practices)
finds no violation of any impact, and every tap target is at least 44 × 44 px.

One Chromium and one context per role: each page is loaded once and checked at both widths (the
viewport is resized in place, so the CSS's media queries apply without a second load). The tour
covers every GET page the application routes; test_every_page_is_on_a_tour fails when a new page
is added without being added here (docs/testing.md, "Accessibility")."""

import re

import pytest
from playwright.sync_api import expect

from soulseer import clock
from soulseer.extensions import db as database
from soulseer.models import ReaderProfile
from tests.e2e.accessibility_tours import LANDS_ON, NOT_PAGES, TOURS, WIDE, _Any, _check, tour_problems
from tests.e2e.conftest import account, sign_in
from tests.readings.conftest import Session, fund
from tests.support import axe


def test_every_page_is_on_a_tour(app):
    """Every GET route that renders a page is visited by some tour (or named in NOT_PAGES)."""
    adapter = app.url_map.bind("localhost")
    toured = set()
    for paths in TOURS.values():
        for path in paths:
            concrete = path.split(" ")[0].split("?")[0].format_map(_Any())
            toured.add(adapter.match(concrete, method="GET")[0])
            toured.add(LANDS_ON.get(path.partition(" !")[2]))
    pages = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods} - NOT_PAGES
    assert pages - toured == set(), "pages no accessibility tour visits: add them to TOURS"


@pytest.mark.timeout(300)
@pytest.mark.parametrize("role", ["visitor", "fresh"])
def test_no_axe_violation_anywhere(role, app, browser, live_server, make_user):
    """The visitor's tour and a fresh account's (the client's, the reader's and the admin's are in
    test_accessibility_client.py and test_accessibility_staff.py, for other workers)."""
    problems = tour_problems(role, app, browser, live_server, make_user)
    assert problems == [], "\n".join(problems)


def test_the_request_alert_keeps_the_keyboard_inside_and_names_the_client_plainly(page, make_user, screenshot):
    from soulseer.services.readings import lifecycle
    from tests.e2e.conftest import online_luna

    luna = online_luna(make_user)
    nova = account(make_user, "client", "nova2026@example.test", "Nova 2026")
    fund(nova, 2_000)
    lifecycle.request(nova, database.session.query(ReaderProfile).filter_by(user_id=luna.id).one(), "chat")
    database.session.commit()

    sign_in(page, "luna@example.test")
    alert = page.get_by_role("alertdialog", name="Nova 2026 wants a chat reading")
    expect(alert).to_be_visible()
    accept, decline = alert.get_by_role("button", name="Accept"), alert.get_by_role("button", name="Decline")
    expect(accept).to_be_focused()
    for key, focused in (("Tab", decline), ("Tab", accept), ("Shift+Tab", decline), ("Shift+Tab", accept)):
        page.keyboard.press(key)
        expect(focused).to_be_focused()
    # The name (digits too) in the body font, not the script.
    font = alert.get_by_role("heading").evaluate("(h) => getComputedStyle(h).fontFamily")
    assert font.startswith('"Playfair Display"')
    # It pulses, except for someone who asked their system for less motion.
    card = page.locator(".reading-alert-card")
    page.emulate_media(reduced_motion="no-preference")
    assert card.evaluate("(c) => getComputedStyle(c).animationName") == "reading-alert-pulse"
    page.emulate_media(reduced_motion="reduce")
    assert card.evaluate("(c) => getComputedStyle(c).animationName") == "none"
    page.emulate_media(reduced_motion="no-preference")
    assert _check(page, axe.axe_source(), "reader with a request") == []
    screenshot(page, "alert")
    assert page.watched.problems() == []


def test_the_review_stars_are_chosen_with_the_keyboard(page, make_user, screenshot):
    from soulseer.models import Review

    client = account(make_user, "client", "nova@example.test", "Nova")
    reader = account(make_user, "reader", "luna@example.test", "Luna Starling")
    database.session.add(
        ReaderProfile(user_id=reader.id, slug="luna", display_name="Luna Starling", rate_chat_cents=150)
    )
    database.session.commit()
    now = clock.now().replace(microsecond=0)
    with clock.frozen(now):
        fund(client, 2_000)
        session = Session(client, reader, rate=150, origin=now)
        session.accept()
        session.join_both()
        session.run_until(130)
        session.finish(client)
    clock.reset()

    sign_in(page, "nova@example.test")
    page.goto(f"/readings/{session.id}/review")
    page.emulate_media(reduced_motion="reduce")  # the stars' colour without its transition
    stars = page.get_by_role("group", name="Your rating")
    expect(stars.get_by_role("radio")).to_have_count(5)
    stars.get_by_role("radio", name="1 star").focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    expect(stars.get_by_role("radio", name="4 stars")).to_be_checked()
    page.mouse.move(1, 1)  # a pointer resting on a star previews that rating instead (hover)
    colours = page.locator(".star-glyph").evaluate_all("(glyphs) => glyphs.map((g) => getComputedStyle(g).color)")
    gold = "rgb(212, 175, 55)"
    assert colours[:4] == [gold] * 4 and colours[4] != gold
    screenshot(page, "stars-390")
    page.set_viewport_size(WIDE)
    screenshot(page, "stars-1280")
    page.get_by_role("button", name="Publish the review").click()
    expect(page).to_have_url(re.compile(r"/readings/history$"))
    database.session.expire_all()
    assert database.session.query(Review.stars).filter_by(reading_id=session.id).scalar() == 4
    assert page.watched.problems() == []


def test_the_photo_picker_shows_the_chosen_photo_before_it_is_sent(page, make_user, screenshot, tmp_path):
    from soulseer.services.marketplace import photos

    account(make_user, "reader", "luna@example.test", "Luna Starling")
    picture = tmp_path / "luna.png"
    photos.generated_portrait("L", (90, 40, 120), (20, 10, 40), size=200).save(picture)

    sign_in(page, "luna@example.test")
    page.goto("/reader/profile")
    preview = page.get_by_role("img", name="Your new photo, not saved yet")
    expect(preview).to_be_hidden()
    page.get_by_label("Photo").set_input_files(str(picture))
    expect(preview).to_be_visible()
    # Shown as soon as its src is set; decoded a moment later (under load, after this line ran).
    page.wait_for_function("(img) => img.complete", arg=preview.element_handle())
    assert preview.evaluate("(img) => img.src.startsWith('blob:') && img.naturalWidth === 200")
    expect(page.locator("[data-photo-field] .reader-photo-empty")).to_be_hidden()
    screenshot(page, "picker-390")
    page.get_by_label("Photo").set_input_files([])
    expect(preview).to_be_hidden()
    expect(page.locator("[data-photo-field] .reader-photo-empty")).to_be_visible()
    assert page.watched.problems() == []
