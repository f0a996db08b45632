"""People who write to each other: Luna (a reader with a listed profile), Nova (a client), and
what their tabs receive over the event stream (a real subscription to the events channel)."""

import pytest

from soulseer.extensions import db as database
from soulseer.models import ReaderProfile
from tests.conftest import csrf_token_from
from tests.ledger.conftest import _ledger_verified_after_each_test, run_in_parallel  # noqa: F401


@pytest.fixture
def luna(make_user):
    user = make_user(role="reader", consented=True, display_name="Luna")
    database.session.add(
        ReaderProfile(user_id=user.id, slug="luna", display_name="Luna", bio="I read tarot. " * 5, rate_chat_cents=100)
    )
    database.session.commit()
    return user


@pytest.fixture
def nova(make_user):
    return make_user(role="client", consented=True, display_name="Nova")


@pytest.fixture
def signed_in(app, login):
    """signed_in(user) -> (a test client signed in as user, its CSRF token)."""

    def make(user):
        browser = login(app.test_client(), user)
        token = csrf_token_from(browser.get("/messages").get_data(as_text=True))
        return browser, token

    return make


def start(browser, token, reader_slug, body):
    """A client's first message from the reader's page."""
    profile = database.session.query(ReaderProfile).filter_by(slug=reader_slug).one()
    return browser.post("/messages/new", data={"csrf_token": token, "to": profile.user_id, "body": body})


def send(browser, token, conversation_id, body, htmx=False, **fields):
    headers = {"HX-Request": "true"} if htmx else {}
    return browser.post(
        f"/messages/{conversation_id}", data={"csrf_token": token, "body": body, **fields}, headers=headers
    )
