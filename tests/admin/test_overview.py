"""The admin overview's figures, exact, from real postings: readings settled on different days, a
refund, a purchase and top-ups, seen today, over 7 days and over 30 days (docs/admin.md)."""

import re
from datetime import UTC, datetime

import pytest

from soulseer import clock
from soulseer.ledger import operations
from soulseer.models import ReaderStatus
from tests.admin.conftest import make_application
from tests.ledger.conftest import _ledger_verified_after_each_test  # noqa: F401
from tests.readings.helpers import finished_reading, profile_for
from tests.support.forms import post_with_csrf

NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)


def at(day, hour=9):
    return datetime(2026, day // 100, day % 100, hour, 0, tzinfo=UTC)


@pytest.fixture
def business(db, person, admin_client):
    """Luna and Orion read for Cleo; the readings are settled on 26 Oct (outside every window),
    5 Nov (30 days), 21 Nov (7 days) and 25 Nov (today)."""
    cleo = person("client", display_name="Cleo")
    luna, orion = person("reader", display_name="Luna"), person("reader", display_name="Orion")
    profiles = [profile_for(luna), profile_for(orion), profile_for(person("reader", display_name="Sol"))]
    with clock.frozen(at(1026)):
        finished_reading(cleo, luna, seconds=600, rate=100)  # 1000: outside the 30 days
    with clock.frozen(at(1105)):
        finished_reading(cleo, luna, seconds=60, rate=150)  # 150 = Luna 105 + platform 45
    with clock.frozen(at(1121)):
        paid_back = finished_reading(cleo, orion, seconds=300, rate=200)  # 1000 = Orion 700 + platform 300
    with clock.frozen(at(1125)):
        finished_reading(cleo, luna, seconds=125, rate=100)  # ceil(208.3) = 209 = Luna 146 + platform 63
    with clock.frozen(at(1125, 10)):
        # Today an admin refunds $1.00 of the 21 Nov reading: Orion gives back 70, the platform 30.
        page = f"/admin/readings/{paid_back.id}"
        data = {"amount": "1.00", "reason": "Connection was poor", "request_key": "overview-test"}
        assert post_with_csrf(admin_client, f"{page}/refunds", data, page=page).status_code == 302
    with clock.frozen(at(1125, 11)):
        # A purchase from Luna (a gift) is a sale too: 500 = Luna 350 + platform 150.
        operations.purchase(cleo, 500, luna, 7000, "gift:overview-test", ("gift", 1), "Gift to Luna")
        operations.credit_topup(cleo, 2500, "topup:overview-test", ("topup", 99))  # money in, not a sale
        db.session.commit()
    profiles[0].status, profiles[1].status = ReaderStatus.ONLINE, ReaderStatus.BUSY  # Sol stays offline
    make_application(db, "selene@example.test")
    db.session.commit()


def figures(html):
    """{figure key: the number as shown} for every figure on the page."""
    found = re.findall(r'data-figure="(\w+)">.*?class="figure-number">([^<]+)</span>', html, re.S)
    return dict(found)


EXPECTED = {
    "today": {"readings": "1", "minutes_billed": "2:05", "gross": "$6.09", "platform_revenue": "$1.83",
              "active_readers": "1"},
    "7d": {"readings": "2", "minutes_billed": "7:05", "gross": "$16.09", "platform_revenue": "$4.83",
           "active_readers": "2"},
    "30d": {"readings": "3", "minutes_billed": "8:05", "gross": "$17.59", "platform_revenue": "$5.28",
            "active_readers": "2"},
}  # fmt: skip
NOW_FIGURES = {"applications_waiting": "1", "applications_kept": "0", "open_flags": "0", "readers_online": "2",
               "clients": "1", "readers": "3", "admins": "1", "suspended": "0"}  # fmt: skip


@pytest.mark.parametrize("period", ["today", "7d", "30d"])
def test_the_figures_of_each_period_are_exact(admin_client, business, period):
    with clock.frozen(NOW):
        response = admin_client.get(f"/admin?period={period}")
    assert response.status_code == 200
    assert figures(response.get_data(as_text=True)) == {**EXPECTED[period], **NOW_FIGURES}


def test_today_is_the_default_and_an_unknown_period_is_today(admin_client, business):
    with clock.frozen(NOW):
        default = figures(admin_client.get("/admin").get_data(as_text=True))
        unknown = figures(admin_client.get("/admin?period=year").get_data(as_text=True))
    assert default == unknown == {**EXPECTED["today"], **NOW_FIGURES}


def test_the_period_switch_swaps_only_the_figures_and_the_url_is_reloadable(admin_client, business):
    with clock.frozen(NOW):
        response = admin_client.get("/admin?period=7d", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="period-figures"')
    assert 'class="admin-nav"' not in html
    assert figures(html) == EXPECTED["7d"]
    assert "HX-Request" in response.headers["Vary"]
    assert 'hx-push-url="true"' in html
    assert re.search(r'href="/admin\?period=7d"\s+hx-get="/admin\?period=7d"[^>]*aria-current="page"', html)
    assert "Since 00:00 UTC on 19 Nov 2026" in html


def test_open_flags_come_from_the_moderation_queue(admin_client, db, person):
    """Open flags appear since the moderation section supplies them: the queue's real count (it was
    left out, never a placeholder, until moderation existed)."""
    from soulseer.services.moderation import flags

    assert figures(admin_client.get("/admin").get_data(as_text=True))["open_flags"] == "0"
    flags.flag(person("client"), "user", person("client").id, "spam", "Sends me adverts.")
    db.session.commit()
    html = admin_client.get("/admin").get_data(as_text=True)
    assert figures(html)["open_flags"] == "1" and 'href="/admin/moderation"' in html
