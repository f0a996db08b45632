"""An admin on a phone reviews a client's disputed wallet: the ledger's verify report, finding the
client's wallet, lifting the freeze after review (a missing review is refused first), and a
goodwill adjustment with its reason. The client, in her own browser, is told live (her bell and
her header's balance) and can spend."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import account, sign_in


def test_an_admin_lifts_a_disputed_wallets_freeze_and_adjusts_it(page, second_page, make_user, db, screenshot):
    from soulseer.ledger import operations

    account(make_user, "admin", "ada@example.test", "Ada")
    cleo = account(make_user, "client", "cleo@example.test", "Cleo")
    operations.credit_topup(cleo, 4000, "topup:cs_e2e", ("topup", 1))
    operations.debit_dispute(cleo, 1000, "dispute:dp_e2e", ("topup", 1))
    db.session.commit()

    # Cleo sees why she cannot spend, with her bell open in another browser.
    sign_in(second_page, "cleo@example.test")
    second_page.goto("/wallet")
    expect(second_page.get_by_text("Spending is paused while we review a disputed payment")).to_be_visible()
    expect(second_page.locator("#notification-bell")).to_have_attribute("aria-label", "Notifications, none unread")

    sign_in(page, "ada@example.test")
    page.goto("/admin")
    page.get_by_role("navigation", name="Admin").get_by_role("link", name="Ledger").click()
    expect(page.get_by_role("status")).to_have_text(re.compile(r"All \d+ invariants hold\."))
    page.get_by_label("Search by email, name or account code").fill("cleo")
    page.get_by_role("button", name="Search").click()
    wallet = page.locator(".account-list li", has_text="cleo@example.test")
    expect(wallet).to_contain_text("frozen")
    expect(wallet).to_contain_text("$30.00")
    wallet.get_by_role("link").click()

    expect(page.get_by_role("heading", name="Spending is frozen")).to_be_visible()
    page.get_by_role("button", name="Lift the freeze").click()
    expect(page.get_by_text("Give a reason.")).to_be_visible()  # nothing lifted without a review
    expect(page.get_by_role("heading", name="Spending is frozen")).to_be_visible()
    page.get_by_label("What the review found").fill("Cardholder withdrew the dispute with her bank")
    screenshot(page, "review")
    page.get_by_role("button", name="Lift the freeze").click()
    expect(page.get_by_text("The freeze is lifted: this wallet can spend again.")).to_be_visible()
    expect(page.get_by_role("heading", name="Spending is frozen")).to_have_count(0)

    page.get_by_label("Amount in dollars").fill("5.00")
    page.get_by_label("Reason").fill("Goodwill for the trouble")
    page.get_by_role("button", name="Record the adjustment").click()
    expect(page.get_by_text("Adjustment recorded.")).to_be_visible()
    expect(page.get_by_role("heading", name="Balance $35.00")).to_be_visible()
    expect(page.locator(".ledger-line").first).to_contain_text("Adjustment: Goodwill for the trouble")
    screenshot(page, "adjusted")

    # While she watched, Cleo's bell rang and her header's balance moved; her wallet is open again.
    expect(second_page.locator("#notification-bell")).to_have_attribute("aria-label", "Notifications, 1 unread")
    expect(second_page.locator("#balance-badge")).to_have_text("$35.00")
    second_page.goto("/wallet")
    expect(second_page.get_by_text("Spending is paused")).to_have_count(0)
    expect(second_page.locator(".balance-amount")).to_have_text("$35.00")
    first_line = second_page.get_by_role("list", name="Wallet history, newest first").get_by_role("listitem").first
    expect(first_line).to_contain_text("Adjustment: Goodwill for the trouble")
    expect(first_line.locator(".ledger-amount")).to_have_text("+$5.00")

    page.get_by_role("navigation", name="Admin").get_by_role("link", name="Audit log").click()
    lifted = page.locator(".audit-entry", has=page.locator(".row-title", has_text="wallet.freeze_lifted"))
    expect(lifted).to_contain_text("By Ada")
    expect(lifted).to_contain_text("Reason: Cardholder withdrew the dispute with her bank")
    assert page.watched.problems() == []
    assert second_page.watched.problems() == []
