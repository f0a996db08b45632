"""Posting forms the way a browser does: fetch the page for its CSRF token, then post."""

from tests.conftest import csrf_token_from


def post_with_csrf(client, url, data=None, page=None, **kwargs):
    """POST `data` to `url` with the CSRF token from `page` (default: the same URL, or the home page)."""
    html = client.get(page or "/").get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_token_from(html), **(data or {})}, **kwargs)
