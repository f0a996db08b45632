"""Speed on the wire (soulseer/compression.py, static_files.py): HTML, CSS and JS go out
compressed with brotli, or gzip for a client without it; fonts and images as they are; static
files never vary by cookie; the shared visitor responses keep one entry per Accept-Encoding."""

import gzip
import re

import brotli
import pytest

from tests.support.marketplace import luna_and_orion

BROWSER = "gzip, deflate, br, zstd"  # what Chromium sends


def decoded(response):
    body = response.get_data()
    return {"br": brotli.decompress, "gzip": gzip.decompress}.get(response.headers.get("Content-Encoding"), bytes)(body)


def static_urls(html):
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


@pytest.fixture
def readers(make_user, db):
    return luna_and_orion(make_user)


def test_a_page_goes_out_with_brotli_to_a_browser_and_gzip_to_a_client_without_it(client, readers):
    plain = client.get("/readers", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    for accepted, encoding in ((BROWSER, "br"), ("gzip, deflate", "gzip")):
        response = client.get("/readers", headers={"Accept-Encoding": accepted})
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == encoding
        assert "Accept-Encoding" in response.headers["Vary"]
        assert decoded(response) == plain.get_data() and b"Luna Starweaver" in plain.get_data()
        assert len(response.get_data()) < len(plain.get_data()) / 2


def test_every_stylesheet_and_script_a_page_names_goes_out_compressed_and_without_vary_cookie(client, readers):
    html = client.get("/").get_data(as_text=True)
    named = [url for url in static_urls(html) if url.split("?")[0].endswith((".css", ".js"))]
    assert any("app.css" in url for url in named) and any("htmx.min.js" in url for url in named)
    for url in named:
        response = client.get(url, headers={"Accept-Encoding": BROWSER})
        assert response.headers["Content-Encoding"] == "br", url
        assert "Cookie" not in response.headers.get("Vary", ""), url
        assert response.headers["Cache-Control"] == "public, max-age=31536000", url


def test_a_static_file_answered_to_a_signed_in_person_does_not_vary_by_cookie(client, make_user, login):
    login(client, make_user(consented=True))
    page = client.get("/account")
    assert "Cookie" in page.headers["Vary"]  # a page does: it is that person's
    css = static_urls(page.get_data(as_text=True))[0]
    response = client.get(css)
    assert response.status_code == 200 and "Cookie" not in response.headers.get("Vary", "")
    assert "Set-Cookie" not in response.headers


def test_fonts_and_images_go_out_as_they_are(client):
    html = client.get("/offline").get_data(as_text=True)
    files = [url for url in static_urls(html) if url.split("?")[0].endswith((".woff2", ".png"))]
    assert files
    for url in files:
        response = client.get(url, headers={"Accept-Encoding": BROWSER})
        assert response.status_code == 200 and "Content-Encoding" not in response.headers, url


def test_shared_visitor_responses_keep_each_encoding_apart(app, readers):
    """The first visitor's brotli answer is shared with the next brotli visitor, never with one who
    takes only gzip or nothing."""
    first = app.test_client().get("/readers", headers={"Accept-Encoding": BROWSER})
    again = app.test_client().get("/readers", headers={"Accept-Encoding": BROWSER})
    gzipped = app.test_client().get("/readers", headers={"Accept-Encoding": "gzip"})
    plain = app.test_client().get("/readers")
    assert first.headers["Content-Encoding"] == again.headers["Content-Encoding"] == "br"
    assert again.get_data() == first.get_data()
    assert gzipped.headers["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in plain.headers
    assert decoded(first) == decoded(gzipped) == plain.get_data()


def test_the_event_stream_is_not_compressed(client, make_user, login):
    """Events must reach the browser one by one; a compressor would hold them back."""
    login(client, make_user(consented=True))
    response = client.get("/events", headers={"Accept-Encoding": BROWSER}, buffered=False)
    try:
        assert response.status_code == 200 and response.mimetype == "text/event-stream"
        assert "Content-Encoding" not in response.headers
    finally:
        response.close()


def test_our_stylesheets_and_scripts_are_compressed_once_at_brotlis_best(client):
    from soulseer import compression
    from soulseer.static_files import STATIC_ROOT, static_url

    with client.application.test_request_context():
        url = static_url("css/app.css")
    first = client.get(url, headers={"Accept-Encoding": BROWSER})
    hits = compression._brotli_best.cache_info().hits
    again = client.get(url, headers={"Accept-Encoding": BROWSER})
    source = (STATIC_ROOT / "css" / "app.css").read_bytes()
    assert first.headers["Content-Encoding"] == "br" and brotli.decompress(first.get_data()) == source
    assert len(first.get_data()) == len(brotli.compress(source, quality=11))
    assert again.get_data() == first.get_data() and compression._brotli_best.cache_info().hits == hits + 1
    # A browser revalidating its compressed copy is told it still holds the right bytes.
    revalidated = client.get(url, headers={"Accept-Encoding": BROWSER, "If-None-Match": first.headers["ETag"]})
    assert revalidated.status_code == 304
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert plain.get_data() == source and plain.headers["ETag"] != first.headers["ETag"]


def test_a_large_script_is_compressed_once_at_a_quality_that_takes_no_seconds(client):
    """Agora's SDK (1.6 MB) at quality 11 took 35 s on a loaded machine, with the first caller of
    a call room waiting on it; above 256 KB a file is compressed at quality 5, once."""
    from soulseer import compression
    from soulseer.static_files import STATIC_ROOT, static_url

    name = "vendor/agora/AgoraRTC_N-production.esm.js"
    source = (STATIC_ROOT / name).read_bytes()
    assert len(source) > compression.BEST_QUALITY_UP_TO
    with client.application.test_request_context():
        url = static_url(name)
    first = client.get(url, headers={"Accept-Encoding": BROWSER})
    assert first.headers["Content-Encoding"] == "br" and brotli.decompress(first.get_data()) == source
    assert first.get_data() == brotli.compress(source, quality=compression.LARGE_FILE_QUALITY)
    hits = compression._brotli_best.cache_info().hits
    assert client.get(url, headers={"Accept-Encoding": BROWSER}).get_data() == first.get_data()
    assert compression._brotli_best.cache_info().hits == hits + 1
