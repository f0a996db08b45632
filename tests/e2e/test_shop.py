"""The shop in the browser, on phones (390×844): a client finds a reader's guide in the shop,
buys it from her wallet and downloads it; she buys a crystal from her wallet with an address, and
another by card through the TEST checkout (test payments: the address asked there, as Stripe
Checkout does, and the order paid by the webhook's job); an admin marks that one shipped and she
sees the tracking. axe and the tap targets are checked on each page
(tests/support/axe.py); screenshots at 390 and 1280."""

import re

from playwright.sync_api import expect

from soulseer.extensions import db as database
from soulseer.models import ReaderProfile
from tests.e2e.conftest import account, sign_in
from tests.readings.conftest import fund
from tests.support import axe
from tests.support.shop import PDF_BYTES, digital_product, physical_product

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _clean(page, label):
    source = axe.axe_source()
    found = [f"{label}: {line}" for line in axe.violations(page, source)]
    found += [f"{label}: tap target {line}" for line in axe.small_targets(page)]
    return found


def test_a_client_buys_a_readers_guide_and_a_crystal_and_the_admin_ships_it(
    page, second_page, make_user, db, screenshot
):
    ada = account(make_user, "admin", "ada@example.test", "Ada")
    luna = account(make_user, "reader", "luna@example.test", "Luna Starling")
    database.session.add(ReaderProfile(user_id=luna.id, slug="luna", display_name="Luna Starling", rate_chat_cents=150))
    database.session.commit()
    nova = account(make_user, "client", "nova@example.test", "Nova")
    fund(nova, 10_000)
    digital_product(ada, title="Moon Rituals Workbook", price="9.99", seller=luna, summary="Twelve rituals",
                    description="Twelve **simple** rituals for each new moon.")  # fmt: skip
    physical_product(ada, title="Rose Quartz Point", price="25.00", stock=3, shipping="5.00", featured=True)
    problems = []

    sign_in(page, "nova@example.test")
    # A signed-in client's bottom bar is full: the shop is in her account menu (and the top bar, wider).
    page.locator(".account-menu summary").click()
    page.locator(".account-menu").get_by_role("link", name="Shop").click()
    expect(page.get_by_role("heading", name="Shop", level=1)).to_be_visible()
    expect(page.locator(".product-card")).to_have_count(2)
    page.get_by_label("Kind").select_option("digital")
    expect(page.locator(".product-card")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"/shop\?.*kind=digital"))
    problems += _clean(page, "shop")
    screenshot(page, "catalogue-390")
    page.get_by_role("link", name="Moon Rituals Workbook").click()
    expect(page.get_by_role("heading", name="Moon Rituals Workbook", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Luna Starling")).to_have_attribute("href", "/readers/luna")
    expect(page.get_by_text("A PDF file")).to_be_visible()
    problems += _clean(page, "guide")
    screenshot(page, "guide-390")
    page.get_by_role("button", name="Pay $9.99 from my wallet").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Order #\d+$"), level=1)).to_be_visible()
    expect(page.get_by_text("5 downloads left")).to_be_visible()
    problems += _clean(page, "order")
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download").click()
    download = downloading.value
    assert download.suggested_filename == "Moon-Rituals-Workbook.pdf"
    with open(download.path(), "rb") as file:
        assert file.read() == PDF_BYTES
    page.reload()
    expect(page.get_by_text("4 downloads left, until")).to_be_visible()
    screenshot(page, "order-390")

    # The crystal, shipped: a quantity and an address, from the wallet.
    page.goto("/shop")
    page.get_by_role("link", name="Rose Quartz Point").click()
    page.get_by_label("Quantity").select_option("2")
    page.get_by_label("Full name").fill("Nova Lee")
    page.get_by_label("Street address").fill("12 Elm Street")
    page.get_by_label("City").fill("Portland")
    page.get_by_label("State").fill("OR")
    page.get_by_label("ZIP code").fill("97201")
    problems += _clean(page, "crystal")
    screenshot(page, "crystal-390")
    page.get_by_role("button", name=re.compile(r"^Pay \$25\.00 each \+ shipping")).click()
    expect(page.get_by_text("We are preparing your order.")).to_be_visible()
    expect(page.get_by_text("$55.00")).to_be_visible()  # 2 × $25 + $5 shipping
    problems += _clean(page, "crystal order")

    # One more, by card: the TEST checkout stands in for Stripe's and asks where to ship.
    page.goto("/shop")
    page.get_by_role("link", name="Rose Quartz Point").click()
    page.get_by_role("button", name="Pay by card").click()
    expect(page.get_by_role("heading", name="Test checkout")).to_be_visible()
    expect(page.get_by_text("$30.00")).to_be_visible()  # $25 + $5 shipping
    page.get_by_label("Full name").fill("Nova Lee")
    page.get_by_label("Street address").fill("40 Birch Road")
    page.get_by_label("City").fill("Salem")
    page.get_by_label("State").fill("OR")
    page.get_by_label("ZIP code").fill("97301")
    problems += _clean(page, "test checkout")
    screenshot(page, "card-checkout-390")
    page.get_by_role("button", name="Pay (test)").click()
    # The order's page waits for the webhook's job, then shows it paid (it asks every 2 s).
    expect(page.get_by_text("We are preparing your order.")).to_be_visible()
    expect(page.get_by_text("Paid by card")).to_be_visible()
    crystal_order_url = page.url
    card_order = crystal_order_url.rsplit("/", 1)[1]
    problems += _clean(page, "card order")
    screenshot(page, "card-order-390")

    # Ada ships it from the admin, on her laptop.
    second_page.set_viewport_size(LAPTOP)
    sign_in(second_page, "ada@example.test")
    second_page.goto("/admin/orders")
    second_page.get_by_role("link", name=f"Order #{card_order}").click()
    expect(second_page.get_by_text("40 Birch Road")).to_be_visible()  # from the checkout
    second_page.get_by_label("Carrier").fill("USPS")
    second_page.get_by_label("Tracking number").fill("9400111899223100012345")
    problems += _clean(second_page, "admin order")
    second_page.get_by_role("button", name="Mark shipped").click()
    expect(second_page.get_by_text("is marked shipped")).to_be_visible()
    screenshot(second_page, "admin-shipped-1280")

    page.goto(crystal_order_url)
    expect(page.get_by_text("9400111899223100012345")).to_be_visible()
    expect(page.get_by_text("with USPS")).to_be_visible()
    screenshot(page, "tracking-390")
    page.set_viewport_size(LAPTOP)
    screenshot(page, "tracking-1280")
    page.set_viewport_size(PHONE)
    assert problems == [], "\n".join(problems)
    assert page.watched.problems() == [] and second_page.watched.problems() == []
