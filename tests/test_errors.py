"""Errors: a readable page, or a fragment for HTMX; a 500 rolls back and says nothing changed."""

import sqlalchemy as sa

from soulseer import create_app
from soulseer.extensions import db as database
from soulseer.models import ContentPage


def test_404_is_a_full_page(client):
    response = client.get("/no-such-thing")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "<html" in html and "Not found" in html and "Back to home" in html


def test_404_for_htmx_is_a_fragment(client):
    response = client.get("/no-such-thing", headers={"HX-Request": "true"})
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "<html" not in html and "Not found" in html


def test_405_is_readable(client):
    response = client.put("/healthz")
    assert response.status_code in (400, 405)  # CSRF or method: either way a readable page
    assert "<html" in response.get_data(as_text=True)


def test_500_rolls_back_and_shows_a_page(app):
    broken = create_app()

    @broken.get("/explode")
    def explode():
        database.session.add(ContentPage(slug="half-written", title="x", body_markdown="x"))
        database.session.flush()
        raise RuntimeError("boom")

    response = broken.test_client().get("/explode")
    assert response.status_code == 500
    assert "Nothing was changed" in response.get_data(as_text=True)
    with broken.app_context():
        count = database.session.execute(sa.select(sa.func.count()).select_from(ContentPage)).scalar()
    assert count == 0


def test_an_id_past_the_databases_integer_is_a_404_not_a_500(client, login, make_user):
    """Every `<int:...>` in a route names a row of an `integer` column: a bigger number names
    nothing (it never reaches the database, which would refuse it)."""
    assert client.get("/readings/2147483648").status_code == 404
    assert client.get("/readings/99999999999999999999").status_code == 404
    signed_in = login(client, make_user(role="client", consented=True))
    assert signed_in.get("/wallet?page=99999999999999999999").status_code == 200
    assert signed_in.get("/notifications?before=99999999999999999999").status_code == 200


def test_a_nul_character_anywhere_in_a_request_is_a_400(client):
    """No one types a NUL character and PostgreSQL's text refuses it: a readable 400 page, whether it
    comes in the path, the query or a form."""
    for path in ("/readers/luna%00", "/readers?q=tarot%00", "/sign-in?next=/%00"):
        response = client.get(path)
        assert response.status_code == 400, path
        assert "Something was wrong with that request" in response.get_data(as_text=True)
    assert client.get("/readers/luna%00", headers={"HX-Request": "true"}).status_code == 400
