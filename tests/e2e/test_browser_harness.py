"""The browser fixtures' close: pages leave for about:blank even while navigating by themselves, and
a context Chromium never closes fails its test within CLOSE_SECONDS instead of blocking the run
(docs/testing.md, "A context that never closes")."""

import asyncio
import time

import pytest

from tests.e2e import conftest
from tests.e2e.conftest import close_context, leave

# A page that reloads itself at once, for ever: there is always a navigation about to commit.
RELOADING = '<!doctype html><html lang="en"><head><meta http-equiv="refresh" content="0"><title>x</title></head></html>'


def test_a_page_navigating_by_itself_still_ends_on_about_blank(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    context.route("**/reloading", lambda route: route.fulfill(content_type="text/html", body=RELOADING))
    pages = [context.new_page() for _ in range(3)]
    for page in pages:
        page.goto("/reloading")
    for page in pages:
        leave(page)
        assert page.url == "about:blank"
    started = time.monotonic()
    close_context(context)
    assert time.monotonic() - started < conftest.CLOSE_SECONDS


def test_a_context_that_never_closes_fails_the_test_and_its_chromium_is_replaced(chromium, live_server, monkeypatch):
    stuck = chromium.browser
    context = stuck.new_context(base_url=live_server.url)
    context.new_page().goto("/healthz")

    async def never_answers(*args, **kwargs):  # what Chromium does when it drops a close
        await asyncio.Event().wait()

    monkeypatch.setattr(context._impl_obj, "close", never_answers)
    monkeypatch.setattr(conftest, "CLOSE_SECONDS", 2)
    started = time.monotonic()
    with pytest.raises(pytest.fail.Exception, match="did not close a browser context within 2 s"):
        close_context(context)
    assert time.monotonic() - started < 10
    assert not stuck.is_connected()

    fresh = chromium.browser
    assert fresh is not stuck and fresh.is_connected()
    context = fresh.new_context(base_url=live_server.url)
    assert context.new_page().goto("/healthz").status == 200
    close_context(context)
