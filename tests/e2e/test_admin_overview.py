"""An admin reads the business on a laptop and on a phone: the overview's figures for today, the
7-day view swapped in place (HTMX) with the address following and surviving a reload, then the
Users section, a table on the laptop and cards on the phone, with the same navigation and badge."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Watched, _new_page, account, close_context, sign_in

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def business(make_user, db):
    """Cleo bought from Luna today ($5.00) and three days ago ($7.50); one application waits."""
    from soulseer import clock
    from soulseer.ledger import operations
    from tests.admin.conftest import make_application

    account(make_user, "admin", "ada@example.test", "Ada")
    cleo = account(make_user, "client", "cleo@example.test", "Cleo")
    luna = account(make_user, "reader", "luna@example.test", "Luna")
    operations.credit_topup(cleo, 5000, "topup:cs_overview", ("topup", 1))
    with clock.frozen(clock.now() - timedelta(days=3)):
        operations.purchase(cleo, 750, luna, 7000, "gift:overview:1", ("gift", 1), "Gift to Luna")
    operations.purchase(cleo, 500, luna, 7000, "gift:overview:2", ("gift", 2), "Gift to Luna")
    db.session.commit()
    make_application(db, "selene@example.test")


def figure(page, key):
    return page.locator(f'[data-figure="{key}"] .figure-number')


@pytest.mark.parametrize("device", ["laptop", "phone"])
def test_an_admin_reads_the_overview_and_finds_a_user(browser, live_server, business, screenshot, device):
    context, page = _new_page(browser, live_server, viewport=LAPTOP if device == "laptop" else PHONE)
    try:
        page.watched = Watched(page)
        sign_in(page, "ada@example.test")
        page.goto("/admin")
        admin_nav = page.get_by_role("navigation", name="Admin")
        expect(admin_nav.get_by_role("link", name="Applications")).to_contain_text("1")
        expect(figure(page, "gross")).to_have_text("$5.00")  # 500 today; 750 was three days ago
        expect(figure(page, "platform_revenue")).to_have_text("$1.50")
        expect(figure(page, "applications_waiting")).to_have_text("1")
        screenshot(page, f"{device}-today")

        # The 7-day view replaces the figures in place: the page is not loaded again.
        page.evaluate("window.__samePage = true")
        page.get_by_role("navigation", name="Period").get_by_role("link", name="7 days").click()
        expect(page).to_have_url(re.compile(r"/admin\?period=7d$"))
        expect(figure(page, "gross")).to_have_text("$12.50")
        expect(figure(page, "platform_revenue")).to_have_text("$3.75")  # 225 + 150
        assert page.evaluate("window.__samePage") is True
        page.reload()
        expect(figure(page, "gross")).to_have_text("$12.50")
        expect(page.get_by_role("navigation", name="Period").get_by_role("link", name="7 days")).to_have_attribute(
            "aria-current", "page"
        )
        screenshot(page, f"{device}-7-days")

        admin_nav.get_by_role("link", name="Users").click()
        expect(page.get_by_role("heading", name="Users", exact=True)).to_be_visible()
        expect(admin_nav.get_by_role("link", name="Applications")).to_contain_text("1")
        row = page.locator(".data-rows > li", has_text="cleo@example.test")
        expect(row).to_be_visible()
        display = row.evaluate("element => getComputedStyle(element).display")
        assert display == ("table-row" if device == "laptop" else "grid")
        screenshot(page, f"{device}-users")
        row.get_by_role("link", name="Cleo").click()
        expect(page.get_by_role("heading", name="Cleo", exact=True)).to_be_visible()
        expect(admin_nav.get_by_role("link", name="Users")).to_have_attribute("aria-current", "true")
        screenshot(page, f"{device}-user")
        assert page.watched.problems() == []
    finally:
        close_context(context)
