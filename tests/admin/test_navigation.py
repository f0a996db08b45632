"""Every admin page has the same navigation, with the applications-waiting badge, from the section
registry (admin/base.html)."""

import re

import pytest

from soulseer import clock
from soulseer.blueprints.admin.registry import sections
from soulseer.ledger import accounts
from soulseer.models import ApplicationStatus
from tests.admin.conftest import make_application
from tests.admin.test_guard import RULES
from tests.readings.conftest import START
from tests.readings.helpers import finished_reading, profile_for

NAV = re.compile(r'<nav class="admin-nav" aria-label="Admin">.*?</nav>', re.S)


@pytest.fixture
def things(db, person, admin):
    """One of each thing an admin page is about."""
    from soulseer.content_pages import CONTENT_PAGES
    from soulseer.services.core import content

    content.seed_pages(CONTENT_PAGES)
    client, reader = person("client"), person("reader", display_name="Luna")
    profile = profile_for(reader)
    with clock.frozen(START):
        reading = finished_reading(client, reader)
    waiting = make_application(db, "selene@example.test")
    make_application(db, "orla@example.test")
    make_application(db, "kept@example.test", status=ApplicationStatus.KEPT_ON_FILE)
    from soulseer.services.moderation import flags

    report = flags.flag(client, "reading", reading.id, "technical", "The sound kept dropping.")
    booked = _booking(client, reader, profile)
    db.session.commit()
    from soulseer.ledger import keys, operations
    from soulseer.services.shop import buying
    from tests.support.shop import digital_product

    guide = digital_product(admin, title="Tarot for Beginners")
    operations.credit_topup(client, 5_000, keys.topup("cs_nav"), ("topup", client.id))
    order = buying.buy_from_wallet(client, guide.id, 1, "nav")
    db.session.commit()
    return {
        "user_id": client.id,
        "application_id": waiting.id,
        "slug": "terms",
        "account_id": accounts.find_wallet(client).id,
        "profile_id": profile.id,
        "reading_id": reading.id,
        "item_id": report.item_id,
        "product_id": guide.id,
        "order_id": order.id,
        "booking_id": booked.id,
    }


def _booking(client, reader, profile):
    """A booking (Admin → Bookings): the reader open every day, the client booking tomorrow."""
    from datetime import timedelta

    from soulseer.ledger import keys, operations
    from soulseer.services.bookings import availability, booking

    weekly = {day: "0:00-24:00" for day in range(7)}
    availability.save(reader, availability.AvailabilityInput(time_zone="UTC", lengths=[15], weekly=weekly))
    operations.credit_topup(client, 5_000, keys.topup("cs_navigation"), ("topup", client.id))
    with clock.frozen(START):
        return booking.book(client, profile, "chat", 15, START + timedelta(days=1), "UTC")


def test_every_admin_page_shows_the_same_navigation_with_the_waiting_badge(admin_client, things):
    navs = {}
    for rule in RULES:
        url = rule.build({name: things[name] for name in rule.arguments})[1]
        response = admin_client.get(url)
        assert response.status_code == 200, url
        found = NAV.findall(response.get_data(as_text=True))
        assert len(found) == 1, url
        # Which link is current differs from page to page; the rest is the same everywhere.
        navs[url] = re.sub(r' aria-current="[a-z]+"', "", found[0])
    assert len(set(navs.values())) == 1, navs.keys()
    nav = next(iter(navs.values()))
    assert '<span class="count-badge" aria-label="2 waiting">2</span>' in nav
    labels = re.findall(r'<a href="([^"]+)">([^<]+)', nav)
    assert [label.strip() for _, label in labels] == [section.label for section in sections.sections]
    assert ("/admin/applications", "Applications ") in labels


def test_the_current_section_is_marked_on_its_pages(admin_client, things):
    html = admin_client.get(f"/admin/ledger/accounts/{things['account_id']}").get_data(as_text=True)
    nav = NAV.search(html).group(0)
    assert re.findall(r'aria-current="[a-z]+">([^<]+)', nav) == ["Ledger"]
    html = admin_client.get("/admin/specialties").get_data(as_text=True)
    assert re.findall(r'aria-current="[a-z]+">([^<]+)', NAV.search(html).group(0)) == ["Readers"]
    # The section's own pages are tabs under the navigation.
    assert re.search(r'<nav class="filter-tabs admin-tabs" aria-label="Readers">', html)


def test_no_badge_when_nothing_waits(admin_client, db):
    html = admin_client.get("/admin/users").get_data(as_text=True)
    assert "count-badge" not in NAV.search(html).group(0)
