"""A new client signs up on a phone, confirms the email from the mail page, signs out and in
again, and later resets a forgotten password."""

import re

import pytest
from playwright.sync_api import expect

from soulseer.content_pages import CONTENT_PAGES
from soulseer.services.core import content
from tests.support.passwords import hashed

PASSWORD = "violet-harbor-lantern"


@pytest.fixture
def pages_seeded(db):
    content.seed_pages(CONTENT_PAGES)


def open_latest_mail_link(page, subject):
    page.goto("/dev/mail")
    mail = page.locator("article.mail").filter(has_text=subject).first
    expect(mail).to_be_visible()
    mail.get_by_role("link").first.click()


def sign_in(page, email, password):
    page.goto("/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_sign_up_verify_sign_out_and_in(page, pages_seeded, screenshot):
    page.goto("/")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_role("link", name="Create an account").click()
    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()

    page.get_by_label("Display name").fill("Mira")
    page.get_by_label("Email").fill("mira@example.test")
    page.get_by_label("Password").fill("password123")  # a common password first
    page.get_by_label("I am 18 or over").check()
    page.get_by_label("I accept the Terms").check()
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("one of the most common passwords")).to_be_visible()
    screenshot(page, "sign-up-error")

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("I am 18 or over").check()
    page.get_by_label("I accept the Terms").check()
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Welcome to SoulSeer!")).to_be_visible()
    expect(page.get_by_role("group").or_(page.locator(".account-menu"))).to_contain_text("Mira")

    open_latest_mail_link(page, "Confirm your email")
    expect(page.get_by_text("mira@example.test is confirmed")).to_be_visible()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    screenshot(page, "account")

    page.locator(".account-menu summary").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()

    sign_in(page, "mira@example.test", "not-the-password")
    expect(page.get_by_text("do not match an account")).to_be_visible()
    sign_in(page, "MIRA@example.test", PASSWORD)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator(".account-menu")).to_contain_text("Mira")
    assert page.watched.problems() == []


def test_forgotten_password(page, second_page, pages_seeded, make_user, screenshot):
    from soulseer import clock

    now = clock.now()
    make_user(
        email="cleo@example.test",
        display_name="Cleo",
        password_hash=hashed(PASSWORD),
        adult_confirmed_at=now,
        terms_version=1,
        terms_accepted_at=now,
        email_verified_at=now,
    )
    page.goto("/sign-in")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("cleo@example.test")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    open_latest_mail_link(page, "Reset your SoulSeer password")
    new_password = "copper-meadow-whistle"
    page.get_by_label("New password", exact=True).fill(new_password)
    page.get_by_label("Repeat the new password").fill(new_password)
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_text("Your password is changed")).to_be_visible()
    screenshot(page, "after-reset")

    # The link worked once: opening it again says so.
    open_latest_mail_link(page, "Reset your SoulSeer password")
    expect(page.get_by_text("already been used")).to_be_visible()

    sign_in(second_page, "cleo@example.test", PASSWORD)
    expect(second_page.get_by_text("do not match an account")).to_be_visible()
    sign_in(second_page, "cleo@example.test", new_password)
    expect(second_page.locator(".account-menu")).to_contain_text("Cleo")
