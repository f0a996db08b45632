"""A new client continues with Auth0 on a phone: the provider signs them in, SoulSeer asks for the
18+ and Terms step first, and signing out also ends the Auth0 session. The provider is the
loopback OpenID provider of tests/support/oidc_provider.py; the web process is the Procfile's."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import LIVE_REDIS_URL
from tests.e2e.conftest import PHONE, Watched, close_context
from tests.support.live_server import LiveServer
from tests.support.oidc_provider import OpenIDProvider

CLIENT_ID = "soulseer-e2e"


@pytest.fixture(scope="module")
def provider():
    server = OpenIDProvider(CLIENT_ID).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def auth0_server(app, provider):
    """The web process with Auth0 configured (no worker or cron: sign-in needs neither)."""
    env = {
        "REDIS_URL": LIVE_REDIS_URL,
        "AUTH0_DOMAIN": "tenant.example",
        "AUTH0_CLIENT_ID": CLIENT_ID,
        "AUTH0_CLIENT_SECRET": provider.client_secret,
        "OIDC_METADATA_URL": provider.metadata_url,
    }
    server = LiveServer(env=env, processes=("web",)).start(wait_for_health=False)
    yield server
    server.stop()


@pytest.fixture
def phone(browser, auth0_server):
    context = browser.new_context(viewport=PHONE, base_url=auth0_server.url, service_workers="block")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.watched = Watched(page)
    yield page
    close_context(context)


def test_continue_with_auth0_then_consent_then_sign_out_everywhere(phone, provider, auth0_server, screenshot):
    page = phone
    page.goto("/sign-in")
    button = page.get_by_role("link", name="Continue with Auth0")
    expect(button).to_be_visible()
    assert button.bounding_box()["height"] >= 44
    screenshot(page, "sign-in-with-auth0")

    button.click()
    # Auth0 (here: the loopback provider) signs the person in and sends them back; the account is
    # new, so the 18+ and Terms step comes before anything else.
    expect(page).to_have_url(re.compile(r"/welcome/consent"))
    expect(page.get_by_role("heading", name="Before you continue")).to_be_visible()
    assert provider.authorize_requests[-1]["code_challenge_method"] == "S256"
    page.get_by_label("I am 18 or over").check()
    page.get_by_label("I accept the Terms").check()
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(auth0_server.url + "/")
    expect(page.locator(".account-menu")).to_contain_text("Alice Moon")

    page.locator(".account-menu summary").click()
    page.get_by_role("button", name="Sign out").click()
    # Through the provider's end_session_endpoint and back home.
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    expect(page).to_have_url(auth0_server.url + "/")
    assert provider.logout_requests[-1] == {
        "client_id": CLIENT_ID,
        "post_logout_redirect_uri": auth0_server.url + "/",
    }
    assert page.watched.problems() == []
