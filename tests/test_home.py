"""The home page: brand, navigation that shows only areas that exist, truthful empty states."""


def test_home_page(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "A Community of Gifted Psychics" in html
    assert "No readers are online right now." in html
    # Live streams do not exist yet: the page neither shows nor promises them (#13). The shop does
    # (#18): it is in the navigation; "From the shop" appears only with featured products
    # (tests/shop/test_catalogue.py).
    assert "streaming" not in html
    assert 'href="/shop"' in html and "From the shop" not in html
    # Without Agora, voice and video readings are not offered, so the page does not promise them.
    assert "Live chat readings, metered to the second." in html and "video" not in html
    assert 'name="htmx-config"' in html and '"allowEval":false' in html
    assert '"historyRestoreAsHxRequest":false' in html and '"includeIndicatorStyles":false' in html
    # Settling never copies a style attribute: the CSP allows none (it was refused on a swapped field).
    assert '"attributesToSettle":["class","width","height"]' in html
    # A visitor's home page has nothing to post: no CSRF token, no session cookie.
    assert "X-CSRFToken" not in html and "Set-Cookie" not in response.headers
    assert "<script>" not in html and " style=" not in html  # nothing inline: the CSP forbids it


def test_money_filter_formats_integer_cents(app):
    money = app.jinja_env.filters["money"]
    assert money(0) == "$0.00"
    assert money(5) == "$0.05"
    assert money(123456) == "$1,234.56"
    assert money(-250) == "-$2.50"


def test_the_home_page_promises_voice_and_video_where_they_work(app):
    from soulseer import create_app

    configured = create_app({"AGORA_APP_ID": "a" * 32, "AGORA_APP_CERTIFICATE": "b" * 32})
    html = configured.test_client().get("/").get_data(as_text=True)
    assert "Live chat, voice and video readings, metered to the second." in html
