"""A client on a phone finds a reader: filters by specialty and price, searches, opens the reader's
page and adds them to favourites. The list updates in place (HTMX) and the URL follows, so the
filtered list can be reloaded or shared. Screenshots of browse, the reader page and the profile
editor at 390, 768 and 1280 px wide."""

import re

from playwright.sync_api import expect

from soulseer.extensions import db
from soulseer.services.marketplace import photos
from tests.e2e.conftest import account, sign_in
from tests.support.marketplace import make_profile


def seed_readers(make_user):
    readers = [
        ("Luna Starweaver", ("Tarot", "Love & Relationships", "Dreams"), "online", "2.99", ("#ff69b4", "#3b1d4a")),
        ("Orion Vale", ("Astrology", "Career & Money"), "online", "3.50", ("#5b6cff", "#1a1636")),
        ("Theo Blackwood", ("Tarot", "Clairvoyance"), "offline", "12.00", ("#ff9a6b", "#33180f")),
        ("Iris Nightingale", ("Tarot",), "offline", "1.99", ("#d4af37", "#2b2110")),
        ("Sage Moonwater", ("Mediumship", "Spirit Guides"), "busy", "4.99", ("#3fb5a3", "#10262b")),
    ]
    made = {}
    for name, specialties, status, chat, colours in readers:
        user = account(make_user, "reader", f"{name.split()[0].lower()}@example.test", name)
        profile = make_profile(user, name, specialties, status=status, chat=chat)
        profile.photo_key = photos.store(profile.id, photos.generated_portrait(name[0], *colours))
        db.session.commit()
        made[name] = profile.slug
    return made


def card_names(page):
    return page.locator(".reader-card-name").all_inner_texts()


def test_a_client_filters_searches_opens_a_reader_and_favourites_them(page, make_user, screenshot):
    slugs = seed_readers(make_user)
    account(make_user, "client", "cleo@example.test", "Cleo")
    sign_in(page, "cleo@example.test")

    page.get_by_role("navigation", name="Main (mobile)").get_by_role("link", name="Readers").click()
    expect(page.get_by_role("heading", name="Readers", exact=True)).to_be_visible()
    # Online first.
    expect(page.locator(".reader-card-name")).to_have_count(5)
    assert card_names(page)[:2] == ["Luna Starweaver", "Orion Vale"] or card_names(page)[:2] == [
        "Orion Vale",
        "Luna Starweaver",
    ]
    page.evaluate("window.__notReloaded = true")
    screenshot(page, "browse")
    # The first screen shows readers: at least two whole cards above the bottom bar (issue #13).
    first_screen = page.evaluate(
        """() => {
            const bar = document.querySelector('.bottom-nav').getBoundingClientRect().top;
            return [...document.querySelectorAll('.reader-card')].filter(
                (card) => card.getBoundingClientRect().bottom <= bar).length;
        }"""
    )
    assert first_screen >= 2, first_screen
    expect(page.get_by_label("Search")).to_be_visible()
    expect(page.locator(".chip-check").filter(has_text="Online now")).to_be_visible()

    # The other filters are in a sheet, opened and closed in place.
    page.get_by_role("link", name="Filters").click()
    expect(page.get_by_role("group", name="Filters")).to_be_visible()
    screenshot(page, "filter-sheet")
    # Filter by specialty: the list changes in place and the URL follows.
    page.get_by_label("Specialty").select_option(label="Tarot")
    expect(page.locator(".reader-card-name")).to_have_count(3)
    expect(page).to_have_url(re.compile(r"specialty=\d+"))
    # Then a price range.
    page.get_by_label("To $/min").fill("5")
    page.get_by_label("To $/min").press("Enter")
    expect(page.locator(".reader-card-name")).to_have_count(2)
    expect(page.locator("#results-count")).to_have_text("2 readers match your filters")
    expect(page).to_have_url(re.compile(r"price_max=5"))
    page.get_by_role("button", name="Done").click()
    expect(page.get_by_role("group", name="Filters")).to_have_count(0)
    expect(page.get_by_role("link", name="Filters · 2")).to_be_visible()
    screenshot(page, "filtered")

    # A search that matches nothing says so and offers to clear the filters.
    page.get_by_label("Search").fill("orion")
    expect(page.get_by_text("No readers match these filters")).to_be_visible()
    page.get_by_label("Search").fill("luna")
    expect(page.locator(".reader-card-name")).to_have_text(["Luna Starweaver"])
    # The address bar shows the filters' own URL, not every empty field of the form.
    expect(page).to_have_url(re.compile(r"/readers\?q=luna&specialty=\d+&price_max=5$"))
    assert page.evaluate("window.__notReloaded") is True  # all of it without a reload

    # The URL alone renders the same list (reload).
    page.reload()
    expect(page.locator(".reader-card-name")).to_have_text(["Luna Starweaver"])
    expect(page.get_by_label("Search")).to_have_value("luna")

    # Open the reader.
    page.get_by_role("link", name="Luna Starweaver").click()
    expect(page).to_have_url(re.compile(rf"/readers/{slugs['Luna Starweaver']}$"))
    expect(page.get_by_role("heading", name="Luna Starweaver", level=1)).to_be_visible()
    expect(page.get_by_text("Luna Starweaver keeps 70% of what you pay.")).to_be_visible()
    expect(page.locator(".rate-item")).to_have_text([re.compile(r"Chat\s+\$2\.99 per minute")])
    expect(page.locator(".reader-head .status-badge")).to_have_text("Online now")
    expect(page.get_by_text("No reviews yet.")).to_be_visible()
    page.evaluate("window.__notReloaded = true")

    favourite = page.get_by_role("button", name="Add to favourites")
    favourite.click()
    expect(page.get_by_role("button", name="In your favourites")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("window.__notReloaded") is True  # toggled in place
    screenshot(page, "reader-page")

    # The account menu leads to the favourites, with who is online now.
    page.locator(".account-menu summary").click()
    page.get_by_role("link", name="Favourites").click()
    expect(page.locator(".reader-card-name")).to_have_text(["Luna Starweaver"])
    expect(page.get_by_text("1 of your favourite readers is online now.")).to_be_visible()
    assert page.watched.problems() == []


def test_screenshots_at_three_widths(page, make_user, screenshot):
    slugs = seed_readers(make_user)
    account(make_user, "reader", "newreader@example.test", "Nova Ellery")
    for width, height in ((390, 844), (768, 1024), (1280, 900)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto("/readers")
        expect(page.locator(".reader-card")).to_have_count(5)
        screenshot(page, f"browse-{width}")
        page.goto(f"/readers/{slugs['Sage Moonwater']}")
        expect(page.get_by_role("heading", name="Sage Moonwater", level=1)).to_be_visible()
        screenshot(page, f"reader-{width}")
    sign_in(page, "newreader@example.test")
    for width, height in ((390, 844), (768, 1024), (1280, 900)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto("/reader/profile")
        expect(page.get_by_role("heading", name="Your profile")).to_be_visible()
        screenshot(page, f"editor-{width}")
    # Saving with a bad rate shows the field error in place.
    page.get_by_label("Chat, per minute").fill("0.10")
    page.get_by_role("button", name="Save my profile").click()
    expect(page.locator("#rate_chat-error")).to_contain_text("between $0.50 and $50.00")
    screenshot(page, "editor-error-1280")
    assert page.watched.problems() == []
