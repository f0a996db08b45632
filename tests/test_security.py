"""Security baseline: headers on every response, CSRF on every state-changing request."""

import pytest
import sqlalchemy as sa

from soulseer import create_app
from soulseer.extensions import db as database
from soulseer.models import ContentPage
from tests.conftest import csrf_token_from

EXPECTED_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


@pytest.mark.parametrize(
    "path", ["/", "/healthz", "/no-such-page", "/manifest.webmanifest", "/sw.js", "/offline", "/static/css/app.css"]
)
def test_security_headers_on_every_response(client, path):
    response = client.get(path)
    for name, value in EXPECTED_HEADERS.items():
        assert response.headers[name] == value
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["Permissions-Policy"].startswith("camera=(self), microphone=(self)")
    assert "Strict-Transport-Security" not in response.headers  # only in production


def test_production_adds_hsts_and_secure_cookies(app):
    production = create_app({"ENV_PRODUCTION": True, "SESSION_COOKIE_SECURE": True})
    response = production.test_client().get("/sign-in")  # a page with a form: it needs the session
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_session_cookie_is_httponly_and_samesite(client):
    cookie = client.get("/sign-in").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.fixture
def app_with_a_form(app):
    """A second app with one state-changing route, to prove CSRFProtect guards every POST."""
    probe = create_app()

    @probe.post("/probe/pages")
    def create_page():
        database.session.add(ContentPage(slug="probe", title="Probe", body_markdown="x"))
        database.session.commit()
        return "created", 201

    return probe


def count_pages(app):
    with app.app_context():
        return database.session.execute(sa.select(sa.func.count()).select_from(ContentPage)).scalar()


def test_post_without_csrf_token_is_refused_and_changes_nothing(app_with_a_form):
    web = app_with_a_form.test_client()
    web.get("/")
    response = web.post("/probe/pages")
    assert response.status_code == 400
    assert b"This form has expired" in response.data
    assert count_pages(app_with_a_form) == 0


def test_post_with_a_forged_token_is_refused(app_with_a_form):
    web = app_with_a_form.test_client()
    web.get("/")
    response = web.post("/probe/pages", headers={"X-CSRFToken": "forged"})
    assert response.status_code == 400
    assert count_pages(app_with_a_form) == 0


def test_post_with_the_page_token_goes_through(app_with_a_form):
    web = app_with_a_form.test_client()
    token = csrf_token_from(web.get("/sign-in").get_data(as_text=True))
    response = web.post("/probe/pages", headers={"X-CSRFToken": token})
    assert response.status_code == 201
    assert count_pages(app_with_a_form) == 1


def test_htmx_csrf_failure_gets_a_fragment(app_with_a_form):
    web = app_with_a_form.test_client()
    web.get("/")
    response = web.post("/probe/pages", headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert b"<html" not in response.data and b'role="alert"' in response.data


def test_pages_vary_on_hx_request(client):
    assert "HX-Request" in client.get("/").headers["Vary"]


def test_rate_limits_are_checked_by_their_routes_not_on_every_request(app, post_form):
    """Flask-Limiter's per-request hook is taken out (soulseer/__init__.py): no page pays for it,
    and the limits on routes still hold (the sign-up form allows 10 posts an hour per address)."""
    from soulseer.extensions import limiter

    assert not any(getattr(hook, "__self__", None) is limiter for hook in app.before_request_funcs[None])
    web = app.test_client()
    answers = [post_form(web, "/sign-up", {"email": "not-an-address"}).status_code for _ in range(11)]
    assert 429 not in answers[:10] and answers[10] == 429
