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
