"""A new client tops up $25 on a phone with test payments: picks the amount, pays on the TEST
checkout page, and watches "Processing…" turn into "$25.00 added" while the live worker applies
the signed webhook event. Nothing reloads the page; the balance shows the money."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import account, sign_in


def test_a_new_client_tops_up_25_dollars_with_a_test_payment(page, make_user, screenshot):
    account(make_user, "client", "nova@example.test", "Nova")
    sign_in(page, "nova@example.test")

    page.goto("/wallet/topups/new")
    expect(page.get_by_role("heading", name="Top up your wallet")).to_be_visible()
    expect(page.locator(".lede")).to_contain_text("$0.00")
    page.get_by_label("$25", exact=True).check()
    expect(page.get_by_label("$25", exact=True)).to_be_checked()
    screenshot(page, "form")
    page.get_by_role("button", name="Continue to payment").click()

    # The TEST checkout: clearly not a real payment.
    expect(page).to_have_url(re.compile(r"/wallet/test-checkout/\d+$"))
    expect(page.get_by_role("heading", name="Test checkout")).to_be_visible()
    expect(page.get_by_text("TEST", exact=True)).to_be_visible()
    expect(page.get_by_text("This is a test payment: no real money moves")).to_be_visible()
    expect(page.locator(".checkout-amount")).to_have_text("$25.00")
    screenshot(page, "test-checkout")
    topup_id = page.url.rsplit("/", 1)[1]

    # A second tab already waits on the return page before anything is paid.
    waiting = page.context.new_page()
    waiting.goto(f"/wallet/topups/{topup_id}")
    expect(waiting.get_by_text("Processing your payment…")).to_be_visible()
    waiting.evaluate("window.__notReloaded = true")
    screenshot(waiting, "processing")

    page.get_by_role("button", name="Pay (test)").click()
    expect(page).to_have_url(re.compile(rf"/wallet/topups/{topup_id}$"))
    expect(page.get_by_role("heading", name="$25.00 added to your wallet")).to_be_visible(timeout=20_000)
    expect(page.locator(".topup-status .topup-balance")).to_have_text("$25.00")
    screenshot(page, "result")
    expect(page.locator("#balance-badge")).to_have_text("$25.00")  # the header's balance

    # The waiting tab updated itself (HTMX polling), without a reload.
    expect(waiting.get_by_role("heading", name="$25.00 added to your wallet")).to_be_visible(timeout=20_000)
    assert waiting.evaluate("window.__notReloaded") is True
    expect(waiting.locator("#topup-status")).not_to_have_attribute("hx-trigger", re.compile("."))
    expect(waiting.locator("#balance-badge")).to_have_text("$25.00")  # refreshed out of band with the news
    waiting.close()

    page.get_by_role("link", name="Go to your wallet").click()
    expect(page.locator(".balance-amount")).to_have_text("$25.00")
    lines = page.get_by_role("list", name="Wallet history, newest first").get_by_role("listitem")
    expect(lines).to_have_count(1)
    expect(lines.first.locator(".ledger-description")).to_have_text("Wallet top-up")
    expect(lines.first.locator(".ledger-amount")).to_have_text("+$25.00")
    expect(lines.first).to_contain_text("Balance $25.00")
    screenshot(page, "wallet")
    page.goto("/wallet/topups/new")
    expect(page.locator(".lede")).to_contain_text("$25.00")
    assert page.watched.problems() == []
