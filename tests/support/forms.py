"""Posting forms the way a browser does: fetch the page for its CSRF token, then post."""

from tests.conftest import csrf_token_from


def post_with_csrf(client, url, data=None, page=None, **kwargs):
    """POST `data` to `url` with the CSRF token from `page` (default: the sign-in page, which has a
    form for visitors and sends signed-in people on to a page of theirs)."""
    html = client.get(page or "/sign-in", follow_redirects=True).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_token_from(html), **(data or {})}, **kwargs)
