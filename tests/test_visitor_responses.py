"""Whole responses shared by visitors (soulseer/visitor_responses.py): answered without Flask,
byte for byte what Flask answered, never to anyone with a cookie, never stale. Real Redis."""

import pytest

from soulseer import visitor_responses
from soulseer.services.marketplace import profiles, reader_status
from tests.support.browse import HX, names
from tests.support.marketplace import luna_and_orion


@pytest.fixture
def readers(make_user, db):
    return luna_and_orion(make_user)


@pytest.fixture
def flask_calls(app):
    """How many requests reached Flask behind the shared responses."""
    layer = app.wsgi_app
    assert isinstance(layer, visitor_responses.VisitorResponses)
    calls = []
    inner = layer.wsgi_app

    def counted(environ, start_response):
        calls.append(environ["PATH_INFO"] + "?" + environ.get("QUERY_STRING", ""))
        return inner(environ, start_response)

    layer.wsgi_app = counted
    yield calls
    layer.wsgi_app = inner


@pytest.mark.parametrize("url", ["/", "/readers", "/readers?q=tarot"])
def test_a_visitors_page_is_answered_once_by_flask_then_shared_as_it_was(app, readers, flask_calls, url):
    first = app.test_client().get(url)
    second = app.test_client().get(url)
    assert len(flask_calls) == 1  # the second visitor's answer did not reach Flask
    assert second.status_code == first.status_code == 200
    assert second.get_data() == first.get_data() and "Luna Starweaver" in second.get_data(as_text=True)
    assert sorted(second.headers.items()) == sorted(first.headers.items())
    assert "script-src 'self'" in second.headers["Content-Security-Policy"]
    assert second.headers["X-Frame-Options"] == "DENY" and "Set-Cookie" not in second.headers


def test_the_same_list_written_otherwise_goes_to_flask_and_is_not_stored(app, readers, flask_calls):
    for _ in range(2):
        assert names(app.test_client().get("/readers?q=tarot&page=1&junk=x").get_data(as_text=True)) == [
            "Luna Starweaver"
        ]
    assert len(flask_calls) == 2
    app.test_client().get("/readers?q=tarot")
    app.test_client().get("/readers?q=tarot")
    assert len(flask_calls) == 3


def test_nobody_with_a_cookie_or_from_htmx_or_signed_in_gets_a_shared_answer(
    app, readers, flask_calls, make_user, login
):
    app.test_client().get("/readers")
    app.test_client().get("/readers")
    assert len(flask_calls) == 1
    cookie = app.test_client()
    cookie.set_cookie("session", "anything")
    cookie.get("/readers")
    fragment = app.test_client().get("/readers", headers=HX)
    assert "<html" not in fragment.get_data(as_text=True)
    client = login(app.test_client(), make_user(role="client", consented=True, display_name="Cleo Client"))
    page = client.get("/readers").get_data(as_text=True)
    assert 'Account menu for </span><span class="account-name">Cleo Client</span>' in page and names(page) == [
        "Luna Starweaver",
        "Orion Vale",
    ]
    assert len(flask_calls) == 4  # each of the three went to Flask


def test_a_flash_for_a_visitor_is_theirs_alone(app, readers, flask_calls):
    app.test_client().get("/")
    visitor = app.test_client()
    with visitor.session_transaction() as session:
        session["_flashes"] = [("info", "Only for this visitor")]
    assert "Only for this visitor" in visitor.get("/").get_data(as_text=True)
    assert len(flask_calls) == 2  # the flash's session cookie took the visitor past the shared answer
    assert "Only for this visitor" not in app.test_client().get("/").get_data(as_text=True)
    assert len(flask_calls) == 2  # and the flash was never stored for anyone else


def test_a_change_is_seen_by_the_next_visitor_at_once(app, readers, flask_calls, db):
    assert names(app.test_client().get("/").get_data(as_text=True)) == ["Luna Starweaver"]
    app.test_client().get("/")
    assert len(flask_calls) == 1
    orion = db.session.get(type(readers["orion"]), readers["orion"].id)
    reader_status.go_online(profiles.profile_for(orion))
    db.session.commit()
    assert names(app.test_client().get("/").get_data(as_text=True)) == ["Orion Vale", "Luna Starweaver"]
    assert len(flask_calls) == 2


def test_other_paths_and_methods_always_go_to_flask(app, readers, flask_calls):
    for _ in range(2):
        assert app.test_client().get("/readers/no-such-reader").status_code == 404
    assert app.test_client().post("/readers").status_code == 405
    assert len(flask_calls) == 3
