"""Browser tests: Playwright drives Debian's Chromium at 390x844 against a live server
(web + worker + cron from the Procfile). Two contexts are available for two-person flows."""

import asyncio
import os
from collections import Counter
from contextlib import contextmanager, suppress

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect, sync_playwright

from tests.conftest import ARTIFACTS, LIVE_REDIS_URL
from tests.support.chromium import CHROMIUM_ARGS, chromium_path
from tests.support.live_server import LiveServer
from tests.support.passwords import hashed

PHONE = {"width": 390, "height": 844}
# The password the browser stories give the people they create (hash it with services.accounts.passwords).
PASSWORD = "amber-willow-compass"
# Records CSP violations and uncaught errors in the page itself, before any page script runs.
WATCH_PAGE = """
window.__problems = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__problems.push('CSP ' + e.violatedDirective + ' ' + e.blockedURI);
});
window.addEventListener('error', (e) => window.__problems.push('error ' + e.message));
window.addEventListener('unhandledrejection', (e) => {
  const reason = (e.reason && e.reason.message) || e.reason;
  window.__problems.push('unhandled rejection ' + reason);
});
"""


# A browser test's time limit (pytest-timeout; the others have pyproject.toml's 60 s). The slowest
# takes about 55 s with its setup on an idle machine; the first one also starts the live server.
E2E_TIMEOUT_SECONDS = 180


# Seconds each browser file takes (the mean of two whole runs under pytest-xdist, 7 Dec, load 6-16;
# a file not listed counts as short). `make test` hands files to its workers in the order below
# (`--no-loadscope-reorder`): browser files longest first, so that the run does not end with one
# worker walking a two-minute tour while the others wait. pytest-xdist's own order (most tests
# first) dealt the one-test files, the longest stories, last (docs/testing.md, "The suite's time").
E2E_FILE_SECONDS = {
    "test_accessibility_staff.py": 161,
    "test_live_stream.py": 143,
    "test_client_journey.py": 138,
    "test_accessibility_client.py": 138,
    "test_live_reading.py": 130,
    "test_bookings.py": 107,
    "test_voice_video_room.py": 101,
    "test_accessibility.py": 90,
    "test_community_rules.py": 82,
    "test_messages.py": 74,
    "test_community.py": 72,
    "test_home_page.py": 69,
    "test_applications.py": 41,
    "test_browse_readers.py": 41,
    "test_shop.py": 40,
    "test_sign_up_and_sign_in.py": 32,
    "test_admin_overview.py": 31,
    "test_moderation.py": 26,
    "test_payouts.py": 26,
    "test_review_from_history.py": 23,
    "test_live_status.py": 20,
    "test_admin_ledger.py": 19,
}


def pytest_collection_modifyitems(items):
    """Mark browser tests, give them their time limit and run them last, longest file first: the
    fast tests answer first. The other files keep pytest-xdist's order, most tests first. A test's
    own @pytest.mark.timeout comes first and wins."""
    browser_tests = [item for item in items if "/e2e/" in str(item.fspath)]
    for item in browser_tests:
        item.add_marker(pytest.mark.e2e)
        item.add_marker(pytest.mark.timeout(E2E_TIMEOUT_SECONDS))
    others = [item for item in items if item not in browser_tests]
    per_file = Counter(item.fspath for item in others)
    others.sort(key=lambda item: -per_file[item.fspath])
    browser_tests.sort(key=lambda item: -E2E_FILE_SECONDS.get(item.fspath.basename, 0))
    items[:] = others + browser_tests


@pytest.fixture(scope="session")
def live_server(app):
    server = LiveServer(env={"REDIS_URL": LIVE_REDIS_URL}).start()
    yield server
    server.stop()


# Of Agora's shape (32 hex characters each); Agora never sees them: its network is out of reach.
AGORA = {
    "AGORA_APP_ID": "0123456789abcdef0123456789abcdef",
    "AGORA_APP_CERTIFICATE": "fedcba9876543210fedcba9876543210",
}


@contextmanager
def live_server_with(**settings):
    """A live server of a module's own, with settings of the environment's (SOULSEER_MINUTE_SECONDS,
    AGORA...) that the session's server does not have; stopped when the module is done."""
    server = LiveServer(env={"REDIS_URL": LIVE_REDIS_URL, **settings}).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def media_browser(playwright_instance):
    """The session's Chromium plus a fake camera and microphone, allowed without a prompt."""
    launched = Chromium(
        playwright_instance, [*CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
    )
    yield launched
    launched.close()


@pytest.fixture(scope="session")
def playwright_instance():
    with sync_playwright() as playwright:
        yield playwright


class Chromium:
    """One launched Chromium, launched again when close_context() had to give it up."""

    def __init__(self, playwright, args=CHROMIUM_ARGS):
        self.playwright = playwright
        self.args = args
        self._browser = None

    @property
    def browser(self):
        if self._browser is None or not self._browser.is_connected() or getattr(self._browser, "given_up", False):
            self._browser = self.playwright.chromium.launch(executable_path=chromium_path(), args=self.args)
        return self._browser

    def close(self):
        if self._browser is not None and self._browser.is_connected():
            within(CLOSE_SECONDS, self._browser, self._browser._impl_obj.close(reason=None))


@pytest.fixture(scope="session")
def chromium(playwright_instance):
    launched = Chromium(playwright_instance)
    yield launched
    launched.close()


@pytest.fixture
def browser(chromium):
    return chromium.browser


class Watched:
    """A page plus what went wrong in it: console errors, CSP violations, uncaught errors, promise
    rejections nobody handled, and sub-resources (scripts, styles, fonts, images, fragments) that
    failed. A page itself answering
    422 or 401 with field errors is expected, so Chromium's note about its status is not counted."""

    def __init__(self, page):
        self.page = page
        self.console_errors = []
        self.failed_resources = []
        page.on("console", self._console)
        page.on("response", self._response)
        page.add_init_script(WATCH_PAGE)

    def _console(self, message):
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.console_errors.append(message.text)

    def _response(self, response):
        if response.status >= 400 and response.request.resource_type != "document":
            self.failed_resources.append(f"{response.status} {response.url}")

    def problems(self):
        return self.console_errors + self.failed_resources + self.page.evaluate("window.__problems || []")


# One time budget for what a page does and what a test expects of it: an action (click, fill)
# waits up to 10 s, and so does an assertion (Playwright's own default is 5 s). On a two-core
# machine shared with other runs, a server round trip behind an expectation (ending a reading:
# the settlement, then the summary page) took over 5 s at load 20; the outcome asserted is the same.
ACTION_AND_EXPECT_MS = 10_000
expect.set_options(timeout=ACTION_AND_EXPECT_MS)


# Pages prefer reduced motion unless a test asks for motion (page.emulate_media): the app's
# animations are decoration (the request alert's pulse, the spinner, the gifts), and headless
# Chromium composites each of their frames in software, for as long as they run. In
# test_live_reading.py they were 11.8 s of its 67 s of CPU (Chromium's GPU process), 3.1 s with
# reduced motion (docs/testing.md, "The suite's time"). The tests of the animations themselves ask
# for motion and check that reduced motion stops them.
MOTION = "reduce"


def _new_page(browser, live_server, viewport=PHONE, prepare=None):
    """A page in a context of its own; `prepare(context)` runs before the page opens (permissions,
    routes)."""
    context = browser.new_context(
        viewport=viewport, base_url=live_server.url, service_workers="block", reduced_motion=MOTION
    )
    context.set_default_timeout(ACTION_AND_EXPECT_MS)
    if prepare:
        prepare(context)
    return context, context.new_page()


# Closing a context takes well under a second; Chromium's dropped closes never end (docs/testing.md).
CLOSE_SECONDS = 15
LEAVE_ATTEMPTS = 3


def within(seconds, owner, call):
    """Wait for a Playwright call (an `_impl_obj` coroutine of `owner`) at most `seconds`, then raise
    TimeoutError. The sync API's close() has no timeout of its own."""
    return owner._sync(asyncio.wait_for(call, seconds))


def leave(page):
    """Send the page to about:blank and make sure it stays there. A page may be navigating by
    itself (an HX-Redirect, the room going to the summary when the reading ends): that navigation
    interrupts the first attempt, and a close that races a navigation's commit is what Chromium
    drops. Leaving also ends the page's event streams and sends its pagehide beacons."""
    for _ in range(LEAVE_ATTEMPTS):
        with suppress(PlaywrightError):
            page.goto("about:blank", timeout=5_000)
        if page.url == "about:blank":
            return


def close_context(context):
    """Leave every page, then close the context within CLOSE_SECONDS. If Chromium never answers,
    the test fails (at teardown, loudly: it is not run again) and its Chromium is given up, so the
    next test gets a new one instead of waiting on this one."""
    for open_page in context.pages:
        leave(open_page)
    try:
        within(CLOSE_SECONDS, context, context._impl_obj.close(reason=None))
    except TimeoutError:
        stuck = context.browser  # None for a persistent context, whose close was its browser's
        if stuck is not None:
            stuck.given_up = True
            with suppress(PlaywrightError, TimeoutError):
                within(CLOSE_SECONDS, stuck, stuck._impl_obj.close(reason=None))
        pytest.fail(
            f"Chromium did not close a browser context within {CLOSE_SECONDS} s (docs/testing.md, "
            "'A context that never closes'); that Chromium was closed and the next test gets a new one.",
            pytrace=False,
        )


@contextmanager
def two_phones_on(browser, live_server, prepare=None):
    """Two people on phones (separate contexts, each page watched), closed afterwards."""
    opened = []

    def phone():
        context, page = _new_page(browser, live_server, prepare=prepare)
        page.watched = Watched(page)
        opened.append(context)
        return page

    try:
        yield phone(), phone()
    finally:
        for context in opened:
            close_context(context)


@pytest.fixture
def page(browser, live_server):
    context, new_page = _new_page(browser, live_server)
    new_page.watched = Watched(new_page)
    yield new_page
    close_context(context)


@pytest.fixture
def second_page(browser, live_server):
    """A second person: a separate browser context (own cookies and storage)."""
    context, new_page = _new_page(browser, live_server)
    new_page.watched = Watched(new_page)
    yield new_page
    close_context(context)


@pytest.fixture
def screenshot(request):
    """screenshot(page, "name"): a full-page JPEG under test-artifacts/screenshots/ (git-ignored),
    for people to look at; nothing is asserted on it. JPEG, because a full page's PNG took 0.43 s
    to capture and encode against 0.24 s (the suite takes some 150). CI, where nobody looks at them,
    sets SOULSEER_SCREENSHOTS=0 (.ci/run) and none is taken."""
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    wanted = os.environ.get("SOULSEER_SCREENSHOTS", "1") != "0"

    def take(target, name):
        if not wanted:
            return None
        path = folder / f"{request.node.name}-{name}.jpg"
        target.screenshot(path=str(path), full_page=True, type="jpeg", quality=85)
        return path

    return take


def sign_in(page, email, password=PASSWORD):
    """Sign in through the real sign-in page and wait until the account menu shows."""
    page.goto("/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".account-menu")).to_be_visible()


def account(make_user, role, email, name):
    """Someone who can sign in with PASSWORD at once: verified, 18+, the current Terms accepted."""
    from soulseer import clock

    return make_user(
        role=role,
        email=email,
        display_name=name,
        consented=True,
        password_hash=hashed(PASSWORD),
        email_verified_at=clock.now(),
    )


def online_luna(make_user, **rates_cents):
    """Luna, a reader online now at $1.50 a minute for chat (and `rate_voice_cents=`... if given);
    last seen now, as going online sets, so the idle-reader job leaves her online."""
    from soulseer import clock
    from soulseer.extensions import db
    from soulseer.models import ReaderProfile

    reader = account(make_user, "reader", "luna@example.test", "Luna")
    db.session.add(
        ReaderProfile(
            user_id=reader.id,
            slug="luna",
            display_name="Luna",
            rate_chat_cents=150,
            **rates_cents,
            status="online",
            last_seen_at=clock.now(),
            bio="I read tarot gently and honestly for people at a crossroads in love and work.",
        )
    )
    db.session.commit()
    return reader


def end_the_reading(page):
    """End from the room: "End", then "End" again in "End the reading?" (not "Keep reading")."""
    page.locator(".room-end > summary").click()
    confirm = page.get_by_role("dialog", name="End the reading?")
    expect(confirm).to_be_visible()
    confirm.get_by_role("button", name="End", exact=True).click()
