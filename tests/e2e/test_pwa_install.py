"""The app installs in Chromium, and a page visited before falls back to the offline page."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import CHROMIUM_ARGS, PHONE, chromium_path, close_context


@pytest.fixture
def persistent_context(playwright_instance, live_server, tmp_path):
    context = playwright_instance.chromium.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=chromium_path(),
        args=CHROMIUM_ARGS,
        viewport=PHONE,
        base_url=live_server.url,
    )
    yield context
    close_context(context)


def test_manifest_has_no_installability_errors(persistent_context):
    page = persistent_context.new_page()
    page.goto("/")
    page.wait_for_function("navigator.serviceWorker.controller !== null || navigator.serviceWorker.ready")
    cdp = persistent_context.new_cdp_session(page)
    result = cdp.send("Page.getInstallabilityErrors")
    assert result["installabilityErrors"] == []
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == []


def test_offline_fallback_after_a_visit(persistent_context, screenshot):
    page = persistent_context.new_page()
    page.goto("/")
    page.evaluate("navigator.serviceWorker.ready")
    page.reload()  # the worker now controls the page
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    persistent_context.set_offline(True)
    try:
        page.goto("/pages/help")
        expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
        font = page.get_by_role("heading", name="You are offline").evaluate("e => getComputedStyle(e).fontFamily")
        assert "Alex Brush" in font  # the shell's CSS and fonts came from the precache
        screenshot(page, "offline")
    finally:
        persistent_context.set_offline(False)
    page.goto("/")
    expect(page.get_by_role("heading", name="SoulSeer", level=1)).to_be_visible()
