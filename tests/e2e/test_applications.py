"""A reader applies on her phone, an admin approves her in the queue, the invitation arrives on the
mail page, she sets a password and lands on her reader dashboard."""

import re

import pytest
from playwright.sync_api import expect

from soulseer import clock
from soulseer.content_pages import CONTENT_PAGES
from soulseer.services.core import content
from tests.support.passwords import hashed

ADMIN_PASSWORD = "violet-harbor-lantern"
READER_PASSWORD = "amber-lantern-orchard"


@pytest.fixture
def pages_seeded(db):
    content.seed_pages(CONTENT_PAGES)


@pytest.fixture
def admin(make_user, pages_seeded):
    now = clock.now()
    return make_user(
        role="admin",
        email="ada@example.test",
        display_name="Ada Admin",
        password_hash=hashed(ADMIN_PASSWORD),
        adult_confirmed_at=now,
        terms_version=1,
        terms_accepted_at=now,
        email_verified_at=now,
    )


def test_become_a_reader_approved_invited_and_on_the_dashboard(page, second_page, admin, screenshot):
    visitor = page
    # A visitor finds the form from the footer.
    visitor.goto("/")
    visitor.get_by_role("link", name="Become a reader").click()
    expect(visitor.get_by_role("heading", name="Become a reader")).to_be_visible()

    visitor.get_by_label("Legal name").fill("Selene Marsh")
    visitor.get_by_label("Email").fill("selene@example.test")
    visitor.get_by_label("Phone").fill("+44 20 7946 0958")
    visitor.get_by_label("Years of practice").fill("12")
    visitor.get_by_role("checkbox", name="Tarot").check()
    visitor.get_by_role("checkbox", name="Dreams").check()
    visitor.get_by_role("checkbox", name="Chat").check()
    visitor.get_by_role("checkbox", name="Video").check()
    visitor.get_by_label("About you").fill("Tarot, mostly.")  # too short first
    visitor.get_by_label("Why SoulSeer?").fill("Fair pay for readers, and clients pay only for what they get.")
    visitor.get_by_label("Links (optional)").fill("https://selene.example.test")
    visitor.get_by_role("button", name="Send my application").click()
    expect(visitor.get_by_text("Write between 50 and 2000 characters.")).to_be_visible()
    expect(visitor.get_by_text("Please accept the Reader agreement to apply.")).to_be_visible()
    # What she typed and ticked is still there.
    expect(visitor.get_by_role("checkbox", name="Tarot")).to_be_checked()
    expect(visitor.get_by_label("Legal name")).to_have_value("Selene Marsh")

    visitor.get_by_label("About you").fill(
        "I have read tarot for twelve years, mostly for people at a crossroads in love and work."
    )
    visitor.get_by_label("I have read and accept the Reader agreement").check()
    screenshot(visitor, "application-form")
    visitor.get_by_role("button", name="Send my application").click()
    expect(visitor.get_by_role("heading", name="Thank you, Selene Marsh")).to_be_visible()
    expect(visitor.get_by_text("selene@example.test")).to_be_visible()

    # The admin signs in on the real sign-in page and lands in the admin area.
    admin_page = second_page
    admin_page.goto("/sign-in")
    admin_page.get_by_label("Email").fill("ada@example.test")
    admin_page.get_by_label("Password").fill(ADMIN_PASSWORD)
    admin_page.get_by_role("button", name="Sign in").click()
    expect(admin_page).to_have_url(re.compile(r"/admin$"))
    expect(admin_page.get_by_text("1 application waiting")).to_be_visible()

    admin_page.get_by_role("navigation", name="Admin").get_by_role("link", name="Applications").click()
    expect(admin_page.get_by_role("link", name="Selene Marsh")).to_be_visible()
    screenshot(admin_page, "admin-queue")
    admin_page.get_by_role("link", name="Selene Marsh").click()
    expect(admin_page.get_by_text("+44 20 7946 0958")).to_be_visible()
    admin_page.get_by_role("radio", name="Approve and invite").check()
    admin_page.get_by_label("Note (optional)").fill("Warm sample reading.")
    screenshot(admin_page, "admin-application")
    admin_page.get_by_role("button", name="Record the decision").click()
    expect(admin_page.get_by_text("Approved. selene@example.test has a reader account")).to_be_visible()
    expect(admin_page.get_by_text("No applications are waiting.")).to_be_visible()

    # The invitation arrives; she opens it and sets up her account.
    visitor.goto("/dev/mail")
    mail = visitor.locator("article.mail").filter(has_text="Your invitation to read on SoulSeer").first
    expect(mail).to_contain_text("selene@example.test")
    mail.get_by_role("link").first.click()
    expect(visitor.get_by_role("heading", name="Welcome, Selene Marsh")).to_be_visible()
    visitor.get_by_label("Choose a password").fill(READER_PASSWORD)
    visitor.get_by_label("Repeat the password").fill(READER_PASSWORD)
    visitor.get_by_label("I am 18 or over").check()
    visitor.get_by_label("I accept the Terms").check()
    visitor.get_by_label("I accept the Reader agreement").check()
    screenshot(visitor, "invitation")
    visitor.get_by_role("button", name="Set up my reader account").click()

    expect(visitor).to_have_url(re.compile(r"/reader$"))
    expect(visitor.get_by_role("heading", name="Welcome, Selene Marsh")).to_be_visible()
    expect(visitor.get_by_text("Your account is ready.")).to_be_visible()
    dashboard = visitor.get_by_role("region", name="What you applied with")
    expect(dashboard).to_contain_text("Tarot")
    expect(dashboard).to_contain_text("Video")
    screenshot(visitor, "reader-dashboard")

    # The link worked once.
    visitor.go_back()
    visitor.reload()
    expect(visitor.get_by_text("This invitation has already been used. Sign in instead.")).to_be_visible()

    # The approval is in the audit log.
    admin_page.get_by_role("navigation", name="Admin").get_by_role("link", name="Audit log").click()
    expect(admin_page.locator(".audit-entry .row-title", has_text="application.approved")).to_be_visible()

    assert visitor.watched.problems() == []
    assert admin_page.watched.problems() == []


def test_admin_finds_suspends_edits_a_page_and_reads_the_log(page, second_page, admin, make_user, screenshot):
    now = clock.now()
    make_user(
        email="cleo@example.test",
        display_name="Cleo Client",
        password_hash=hashed(READER_PASSWORD),
        adult_confirmed_at=now,
        terms_version=1,
        terms_accepted_at=now,
        email_verified_at=now,
    )
    make_user(email="orion@example.test", display_name="Orion Vale", role="reader")
    # Cleo is signed in on her phone.
    cleo = second_page
    cleo.goto("/sign-in")
    cleo.get_by_label("Email").fill("cleo@example.test")
    cleo.get_by_label("Password").fill(READER_PASSWORD)
    cleo.get_by_role("button", name="Sign in").click()
    expect(cleo.locator(".account-menu")).to_contain_text("Cleo Client")

    page.goto("/sign-in")
    page.get_by_label("Email").fill("ada@example.test")
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Admin").get_by_role("link", name="Users").click()
    expect(page.get_by_text("3 users")).to_be_visible()
    # The list narrows as the admin types (HTMX), and the address follows.
    page.get_by_label("Search by email or name").fill("cle")
    expect(page.get_by_text("1 user matching “cle”")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/admin/users\?q=cle$"))
    screenshot(page, "admin-users")
    page.get_by_role("link", name="Cleo Client").click()

    page.get_by_label("Reason (optional)").first.fill("Asked clients for payment outside SoulSeer.")
    screenshot(page, "admin-user")
    page.get_by_role("button", name="Suspend").click()
    expect(page.get_by_text("Cleo Client is suspended and signed out everywhere.")).to_be_visible()
    cleo.goto("/account")
    expect(cleo).to_have_url(re.compile(r"/sign-in"))
    expect(cleo.get_by_role("link", name="Sign in")).to_be_visible()

    # Her own account cannot be changed, and the page says why.
    page.locator(".account-menu summary").click()
    page.get_by_role("link", name="Admin").click()
    page.get_by_role("navigation", name="Admin").get_by_role("link", name="Users").click()
    page.get_by_role("link", name="Ada Admin").click()
    expect(page.get_by_text("Admins cannot suspend, demote or change their own account")).to_be_visible()
    expect(page.get_by_role("button", name="Suspend")).to_have_count(0)

    # Edit the About page with a preview of what visitors will see.
    page.get_by_role("navigation", name="Admin").get_by_role("link", name="Pages").click()
    page.get_by_role("link", name="About SoulSeer").click()
    page.get_by_label("Text (Markdown)").fill(
        "## Our promise\n\nYou pay **to the second**.\n\n<script>alert(1)</script>"
    )
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#page-preview")
    expect(preview.get_by_role("heading", name="Our promise")).to_be_visible()
    expect(preview.locator("strong")).to_have_text("to the second")
    expect(preview.locator("script")).to_have_count(0)
    screenshot(page, "admin-page-editor")
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.get_by_text("About SoulSeer saved as version 2.")).to_be_visible()

    page.get_by_role("navigation", name="Admin").get_by_role("link", name="Audit log").click()
    entries = page.locator(".audit-entry")
    expect(entries.first).to_contain_text("content_page.updated")
    suspended = entries.filter(has_text="user.suspended")
    expect(suspended).to_contain_text("Asked clients for payment outside SoulSeer.")
    suspended.get_by_text("Before and after").click()
    expect(suspended.locator("pre").last).to_contain_text('"status": "suspended"')
    screenshot(page, "admin-audit")

    assert page.watched.problems() == []
    assert cleo.watched.problems() == []
