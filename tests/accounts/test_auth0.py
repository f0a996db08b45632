"""Continue with Auth0: Authlib's OpenID Connect client against a real OpenID provider on loopback
(tests/support/oidc_provider.py), driven like a browser: our redirect, the provider's /authorize,
then the callback, with the same session cookie carrying state, nonce and the PKCE verifier."""

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import sqlalchemy as sa

from soulseer import create_app
from soulseer.extensions import db
from soulseer.models import User
from tests.conftest import IsolatedClient, csrf_token_from
from tests.support.oidc_provider import OpenIDProvider, s256
from tests.support.passwords import hashed

CLIENT_ID = "soulseer-test-client"
AUTH0_DOMAIN = "tenant.example"
PROBLEM_TITLE = "We could not sign you in with Auth0"
LOCAL_PASSWORD = "a local password that is long"


@pytest.fixture(scope="module")
def provider():
    server = OpenIDProvider(CLIENT_ID).start()
    yield server
    server.stop()


def auth0_settings(provider, **overrides):
    return {
        "TESTING": True,
        "AUTH0_DOMAIN": AUTH0_DOMAIN,
        "AUTH0_CLIENT_ID": CLIENT_ID,
        "AUTH0_CLIENT_SECRET": provider.client_secret,
        "OIDC_METADATA_URL": provider.metadata_url,
        **overrides,
    }


@pytest.fixture
def auth0_app(app, provider):
    """An app with Auth0 configured against the loopback provider (the session app has none)."""
    provider.reset()
    application = create_app(auth0_settings(provider))
    application.test_client_class = IsolatedClient
    return application


@pytest.fixture
def browser(auth0_app):
    return auth0_app.test_client()


# -- helpers -------------------------------------------------------------------------------------


def start(test_client, path="/sign-in/auth0"):
    """Our redirect to the provider's /authorize."""
    response = test_client.get(path)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def consent_at_provider(authorize_url):
    """The provider signs the user in and sends them back: the callback URL with code and state."""
    response = requests.get(authorize_url, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def sign_in_with_auth0(test_client, path="/sign-in/auth0", follow_redirects=False):
    callback = consent_at_provider(start(test_client, path))
    return test_client.get(callback, follow_redirects=follow_redirects)


def users(application):
    """Every account as plain tuples, read afresh: what a failed sign-in must leave as it was."""
    with application.app_context():
        rows = db.session.execute(
            sa.select(
                User.id,
                User.email,
                User.auth0_subject,
                User.email_verified_at,
                User.password_hash,
                User.session_epoch,
                User.status,
                User.role,
                User.last_login_at,
            ).order_by(User.id)
        ).all()
        db.session.remove()
    return [tuple(row) for row in rows]


def user_by_email(application, email):
    with application.app_context():
        user = db.session.execute(sa.select(User).filter_by(email=email)).scalar_one()
        db.session.expunge(user)
        db.session.remove()
    return user


def add_user(application, **fields):
    with application.app_context():
        user = User(**{"display_name": "Alice Local", "role": "client", **fields})
        db.session.add(user)
        db.session.commit()
        user_id = user.id
        db.session.remove()
    return user_id


def assert_signed_out(test_client):
    response = test_client.get("/account")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def assert_refused(response, reason, status=400):
    html = response.get_data(as_text=True)
    assert response.status_code == status, html
    assert PROBLEM_TITLE in html
    assert f'data-reason="{reason}"' in html
    assert "Nothing in your SoulSeer account was changed." in html


# -- the button ----------------------------------------------------------------------------------


def test_continue_with_auth0_appears_only_when_configured(client, auth0_app, provider):
    for path in ("/sign-in", "/sign-up"):
        assert "Continue with Auth0" not in client.get(path).get_data(as_text=True)
    assert client.get("/sign-in/auth0").status_code == 404
    assert client.get("/sign-in/auth0/callback?code=x&state=y").status_code == 404

    configured = auth0_app.test_client()
    for path in ("/sign-in", "/sign-up"):
        html = configured.get(path).get_data(as_text=True)
        assert 'href="/sign-in/auth0">Continue with Auth0</a>' in html

    # All three settings are needed: without the secret there is no button and no route.
    partial = create_app(auth0_settings(provider, AUTH0_CLIENT_SECRET="")).test_client()
    assert "Continue with Auth0" not in partial.get("/sign-in").get_data(as_text=True)
    assert partial.get("/sign-in/auth0").status_code == 404


def test_the_button_keeps_where_the_user_was_going(browser):
    html = browser.get("/sign-in?next=/account").get_data(as_text=True)
    assert 'href="/sign-in/auth0?next=/account">Continue with Auth0' in html


# -- the protocol --------------------------------------------------------------------------------


def test_redirect_asks_for_the_code_flow_with_pkce_state_and_nonce(browser, provider):
    location = start(browser)
    parts = urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == provider.url + "/authorize"
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert query["response_type"] == "code"
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == "http://localhost/sign-in/auth0/callback"
    assert query["scope"].split() == ["openid", "profile", "email"]
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43  # base64url of a SHA-256 digest
    assert len(query["state"]) >= 20 and len(query["nonce"]) >= 20
    # Each attempt has its own state, nonce and verifier.
    again = {key: values[0] for key, values in parse_qs(urlsplit(start(browser)).query).items()}
    assert {again["state"], again["nonce"], again["code_challenge"]}.isdisjoint(
        {query["state"], query["nonce"], query["code_challenge"]}
    )


def test_the_code_is_exchanged_with_the_pkce_verifier(browser, provider):
    assert sign_in_with_auth0(browser).status_code == 302
    challenge = provider.authorize_requests[-1]["code_challenge"]
    exchange = provider.token_requests[-1]
    assert exchange["client_id"] == CLIENT_ID
    assert exchange["form"]["grant_type"] == "authorization_code"
    assert exchange["form"]["redirect_uri"] == "http://localhost/sign-in/auth0/callback"
    assert s256(exchange["form"]["code_verifier"]) == challenge


# -- good logins ---------------------------------------------------------------------------------


def test_first_login_creates_a_client_account_and_asks_for_consent_first(auth0_app, browser):
    response = sign_in_with_auth0(browser)
    assert response.status_code == 302 and response.headers["Location"] == "/"

    (row,) = users(auth0_app)
    _, email, subject, verified_at, password_hash, _, status, role, last_login = row
    assert (email, subject, status, role) == ("alice@example.com", "auth0|alice", "active", "client")
    assert verified_at is not None and last_login is not None and password_hash is None
    user = user_by_email(auth0_app, "alice@example.com")
    assert user.display_name == "Alice Moon"
    assert user.adult_confirmed_at is None and user.terms_accepted_at is None

    # What the user sees next is the 18+ and Terms step, whatever they open.
    page = browser.get("/", follow_redirects=True)
    assert page.request.path == "/welcome/consent"
    assert "Before you continue" in page.get_data(as_text=True)
    assert browser.get("/account").headers["Location"].startswith("/welcome/consent")

    token = csrf_token_from(page.get_data(as_text=True))
    done = browser.post("/welcome/consent?next=/account", data={"csrf_token": token, "adult": "y", "terms": "y"})
    assert done.status_code == 302 and done.headers["Location"] == "/account"
    account = browser.get("/account")
    assert account.status_code == 200 and "alice@example.com" in account.get_data(as_text=True)


def test_second_login_with_the_same_subject_opens_the_same_account(auth0_app, provider, browser):
    sign_in_with_auth0(browser)
    (first,) = users(auth0_app)

    # Another device; Auth0 now reports a different email for the same subject.
    provider.user["email"] = "alice.new@example.com"
    try:
        other_device = auth0_app.test_client()
        assert sign_in_with_auth0(other_device).status_code == 302
    finally:
        provider.user["email"] = "alice@example.com"
    (again,) = users(auth0_app)
    assert again[0] == first[0] and again[2] == "auth0|alice"
    assert again[1] == "alice@example.com"  # the account's email changes only through its own flow
    assert other_device.get("/", follow_redirects=True).request.path == "/welcome/consent"


def test_an_existing_verified_account_is_linked_not_duplicated(auth0_app, browser, make_user):
    local_hash = hashed(LOCAL_PASSWORD)
    user_id = make_user(
        email="alice@example.com", consented=True, password_hash=local_hash, email_verified_at=datetime.now(UTC)
    ).id
    response = sign_in_with_auth0(browser, "/sign-in/auth0?next=/account")
    assert response.status_code == 302 and response.headers["Location"] == "/account"

    (row,) = users(auth0_app)
    assert row[0] == user_id and row[2] == "auth0|alice"
    assert row[4] == local_hash and row[5] == 0  # the password and other sessions stay
    page = browser.get("/account")
    assert page.status_code == 200
    assert "now linked with Auth0" in page.get_data(as_text=True)


def test_linking_an_unproven_account_removes_the_password_set_before_the_proof(auth0_app, browser):
    """Someone may have registered the address without owning it (and never verified it); once the
    owner proves it through Auth0, that person's password must not still open the account."""
    add_user(auth0_app, email="alice@example.com", password_hash=hashed(LOCAL_PASSWORD))
    assert sign_in_with_auth0(browser).status_code == 302
    (row,) = users(auth0_app)
    assert row[2] == "auth0|alice" and row[3] is not None
    assert row[4] is None and row[5] == 1  # no password, older sessions ended


def test_email_missing_from_the_id_token_is_taken_from_userinfo(auth0_app, provider, browser):
    provider.scenario = "email_in_userinfo_only"
    assert sign_in_with_auth0(browser).status_code == 302
    (row,) = users(auth0_app)
    assert row[1:3] == ("alice@example.com", "auth0|alice")


def test_display_name_is_never_the_email_address(auth0_app, provider, browser):
    saved = dict(provider.user)
    provider.user.update(sub="auth0|bob", email="Bob.Stone@Example.com", name="bob.stone@example.com", nickname="")
    try:
        sign_in_with_auth0(browser)
    finally:
        provider.user.clear()
        provider.user.update(saved)
    user = user_by_email(auth0_app, "bob.stone@example.com")
    assert user.display_name == "bob.stone" and user.auth0_subject == "auth0|bob"


# -- refusals ------------------------------------------------------------------------------------

BAD_TOKENS = [
    ("other_key", "signature"),
    ("unknown_kid", "signature"),
    ("hs256", "signature"),
    ("alg_none", "signature"),
    ("other_audience", "audience"),
    ("other_audience_with_azp", "audience"),
    ("other_issuer", "issuer"),
    ("wrong_nonce", "nonce"),
    ("no_nonce", "nonce"),
    ("expired", "expired"),
    ("issued_in_future", "expired"),
    ("email_unverified", "email"),
    ("token_error", "provider"),
    ("no_id_token", "provider"),
]


@pytest.mark.parametrize(("scenario", "reason"), BAD_TOKENS)
def test_a_bad_login_is_refused_with_a_clear_page_and_changes_nothing(auth0_app, provider, scenario, reason):
    provider.scenario = scenario

    # Nobody yet: no account is created.
    first = auth0_app.test_client()
    assert_refused(sign_in_with_auth0(first), reason)
    assert users(auth0_app) == []
    assert_signed_out(first)

    # A local account with that email, not yet verified: not linked, password and sessions kept.
    add_user(auth0_app, email="alice@example.com", password_hash=hashed(LOCAL_PASSWORD))
    before = users(auth0_app)
    second = auth0_app.test_client()
    assert_refused(sign_in_with_auth0(second), reason)
    assert users(auth0_app) == before and before[0][2] is None
    assert_signed_out(second)


def test_a_callback_can_be_used_once(auth0_app, browser, make_user):
    make_user(email="alice@example.com", consented=True, auth0_subject="auth0|alice")
    callback = consent_at_provider(start(browser))
    assert browser.get(callback).status_code == 302
    before = users(auth0_app)
    assert_refused(browser.get(callback), "state")
    assert_refused(auth0_app.test_client().get(callback), "state")  # nor from another browser
    assert users(auth0_app) == before


def test_a_tampered_state_is_refused(auth0_app, browser):
    callback = consent_at_provider(start(browser))
    parts = urlsplit(callback)
    query = parse_qs(parts.query)
    forged = f"{parts.path}?code={query['code'][0]}&state=forged-{query['state'][0]}"
    assert_refused(browser.get(forged), "state")
    assert users(auth0_app) == []
    assert_signed_out(browser)


def test_a_login_cancelled_at_the_provider(auth0_app, browser):
    state = parse_qs(urlsplit(start(browser)).query)["state"][0]
    response = browser.get(f"/sign-in/auth0/callback?error=access_denied&error_description=No+thanks&state={state}")
    assert_refused(response, "cancelled")
    assert "access_denied" in response.get_data(as_text=True)
    assert users(auth0_app) == []


def test_a_cancelled_login_says_so_in_words(browser):
    state = parse_qs(urlsplit(start(browser)).query)["state"][0]
    html = browser.get(f"/sign-in/auth0/callback?error=access_denied&state={state}").get_data(as_text=True)
    assert "You chose not to continue at Auth0, or Auth0 refused the sign-in." in html
    # What Auth0 adds in error_description is not shown: anyone can put text in that link.
    html = browser.get("/sign-in/auth0/callback?error=access_denied&error_description=Call+555-0100").get_data(
        as_text=True
    )
    assert "555-0100" not in html


@pytest.mark.parametrize("error", ["server_error", "temporarily_unavailable"])
def test_an_error_on_auth0s_side_is_not_called_a_cancellation(browser, error):
    start(browser)
    assert_refused(browser.get(f"/sign-in/auth0/callback?error={error}"), "provider", status=502)


def test_a_callback_without_a_code_is_the_callers_error(auth0_app, provider, browser):
    """A callback with no `code` is a malformed link (a bookmark, a truncated URL), not an outage:
    400 and a page saying so, and no call to Auth0's token endpoint."""
    state = parse_qs(urlsplit(start(browser)).query)["state"][0]
    for query in (f"?state={state}", f"?code=&state={state}", "?state=x", ""):
        assert_refused(browser.get(f"/sign-in/auth0/callback{query}"), "incomplete")
    assert provider.token_requests == []
    assert users(auth0_app) == []
    assert_signed_out(browser)
    # The attempt itself is still good: the real answer from Auth0 signs in.
    assert sign_in_with_auth0(browser).status_code == 302


def test_discovery_naming_another_issuer_is_not_trusted(auth0_app, provider, browser):
    provider.scenario = "discovery_other_issuer"
    assert_refused(browser.get("/sign-in/auth0"), "issuer", status=502)
    assert provider.authorize_requests == []


def test_an_unreachable_provider_gets_a_clear_page(app, provider):
    settings = auth0_settings(provider, OIDC_METADATA_URL="http://127.0.0.1:9/.well-known/openid-configuration")
    response = create_app(settings).test_client().get("/sign-in/auth0")
    assert_refused(response, "unreachable", status=502)


@pytest.mark.parametrize("status", ["suspended", "deleted"])
def test_suspended_and_deleted_accounts_are_refused(auth0_app, browser, make_user, status):
    make_user(email="alice@example.com", consented=True, auth0_subject="auth0|alice", status=status)
    before = users(auth0_app)
    response = sign_in_with_auth0(browser)
    assert_refused(response, status, status=403)
    assert "Try again" not in response.get_data(as_text=True)
    assert users(auth0_app) == before
    assert_signed_out(browser)


def test_a_suspended_account_is_not_linked_by_email(auth0_app, browser):
    add_user(auth0_app, email="alice@example.com", status="suspended", email_verified_at=datetime.now(UTC))
    before = users(auth0_app)
    assert_refused(sign_in_with_auth0(browser), "suspended", status=403)
    assert users(auth0_app) == before and before[0][2] is None


def test_the_callback_is_rate_limited(auth0_app, browser):
    statuses = [browser.get("/sign-in/auth0/callback?code=x&state=y").status_code for _ in range(21)]
    assert statuses[:20] == [400] * 20
    assert statuses[20] == 429


# -- signing out ---------------------------------------------------------------------------------


def sign_out(test_client):
    token = csrf_token_from(test_client.get("/", follow_redirects=True).get_data(as_text=True))
    return test_client.post("/sign-out", data={"csrf_token": token})


def test_sign_out_also_ends_the_auth0_session(auth0_app, provider, browser):
    sign_in_with_auth0(browser)
    response = sign_out(browser)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == provider.url + "/logout"
    assert parse_qs(location.query) == {
        "client_id": [CLIENT_ID],
        "post_logout_redirect_uri": ["http://localhost/"],
    }
    assert_signed_out(browser)
    # The provider ends its session and sends the user back home.
    back = requests.get(response.headers["Location"], allow_redirects=False, timeout=10)
    assert back.headers["Location"] == "http://localhost/"
    assert provider.logout_requests[-1]["client_id"] == CLIENT_ID


def test_sign_out_uses_auth0_v2_logout_without_an_end_session_endpoint(auth0_app, provider, browser):
    provider.scenario = "no_end_session"
    sign_in_with_auth0(browser)
    location = urlsplit(sign_out(browser).headers["Location"])
    assert (location.scheme, location.netloc, location.path) == ("https", AUTH0_DOMAIN, "/v2/logout")
    assert parse_qs(location.query) == {"client_id": [CLIENT_ID], "returnTo": ["http://localhost/"]}


def test_sign_out_after_a_password_sign_in_stays_local(auth0_app, browser, make_user):
    make_user(
        email="local@example.com",
        consented=True,
        password_hash=hashed(LOCAL_PASSWORD),
        email_verified_at=datetime.now(UTC),
    )
    token = csrf_token_from(browser.get("/sign-in").get_data(as_text=True))
    signed_in = browser.post(
        "/sign-in", data={"csrf_token": token, "email": "local@example.com", "password": LOCAL_PASSWORD}
    )
    assert signed_in.status_code == 302
    response = sign_out(browser)
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_pages_let_the_sign_out_form_lead_to_the_provider(auth0_app, client, provider):
    """Browsers apply CSP form-action to the redirect after POST /sign-out."""
    csp = auth0_app.test_client().get("/").headers["Content-Security-Policy"]
    form_action = next(part for part in csp.split("; ") if part.startswith("form-action"))
    assert form_action.split() == ["form-action", "'self'", f"https://{AUTH0_DOMAIN}", provider.url]
    assert "form-action 'self';" in client.get("/").headers["Content-Security-Policy"]
