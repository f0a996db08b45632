"""A live stream on phones (390×844), on our side of the network: the live server has Agora
configured (credentials of Agora's shape), Chromium a fake camera and microphone, and every request
to a host other than ours is refused, as when Agora cannot be reached.

Luna opens her studio from the dashboard (her camera preview plays), goes live; Nova and Orla, in
two contexts, see her "Live" on /live as it happens and open the stream; their pages fetch an
audience token for her channel and ask Agora to join with it (refused), and say plainly that the
video could not start while the chat and gifts go on. Nova sends a Rose, double-taps a Heart
(charged once), Orla sends a Star anonymously under reduced motion: every page sees the gift and
the board change live, Orla's as a still badge. The viewer count reaches Luna. axe finds nothing on
the viewer's and the host's page. Luna ends the stream: the viewers' pages say so by themselves.
Luna mutes Orla from one of her chat lines (Orla's next line is refused, saying why) and lets her
speak again. The money is exact to the cent and `flask ledger verify` is clean."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from soulseer import clock
from soulseer.extensions import db
from soulseer.ledger import LedgerTransaction, operations, verify
from soulseer.models import Stream
from tests.e2e.conftest import (
    AGORA,
    Watched,
    _new_page,
    account,
    close_context,
    live_server_with,
    online_luna,
    sign_in,
)
from tests.support import axe
from tests.support.money import earnings_of, revenue, wallet_of

VIDEO_FAILED = "The video could not start. The video service did not answer."
# The SDK's camera start and its 15-second join deadline are slow on a loaded two-core machine.


@pytest.fixture(scope="module")
def agora_server(app):
    """Agora configured; viewers heartbeat every 2 s, so the count moves within a tick or two."""
    with live_server_with(SOULSEER_STREAM_HEARTBEAT_SECONDS="2", **AGORA) as server:
        yield server


@pytest.fixture
def three_phones(media_browser, agora_server):
    """Luna, Nova and Orla on phones; anything not our server is refused and kept in page.refused.
    Orla's phone prefers reduced motion."""
    ours = urlsplit(agora_server.url).netloc
    opened = []

    def phone(reduced_motion=False):
        refused = []

        def prepare(context):
            context.grant_permissions(["camera", "microphone"], origin=agora_server.url)

            def refuse(route, request):
                refused.append((request.url, request.post_data or ""))
                route.abort("internetdisconnected")

            context.route(lambda url: urlsplit(url).netloc != ours, refuse)
            context.route_web_socket(lambda url: urlsplit(url).netloc != ours, lambda ws: ws.close())

        context, page = _new_page(media_browser.browser, agora_server, prepare=prepare)
        page.emulate_media(reduced_motion="reduce" if reduced_motion else "no-preference")
        page.watched, page.refused = Watched(page), refused
        opened.append(context)
        return page

    try:
        yield phone(), phone(), phone(reduced_motion=True)
    finally:
        for context in opened:
            close_context(context)


@pytest.fixture
def people(make_user):
    luna = online_luna(make_user)
    nova = account(make_user, "client", "nova@example.test", "Nova")
    orla = account(make_user, "client", "orla@example.test", "Orla")
    operations.credit_topup(nova, 1000, f"topup:e2e:{nova.id}", ("topup", nova.id))
    operations.credit_topup(orla, 1000, f"topup:e2e:{orla.id}", ("topup", orla.id))
    db.session.commit()
    return luna, nova, orla


def gift_postings():
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(LedgerTransaction).filter_by(reference_type="gift"))


def no_axe_violations(page, label):
    source = axe.axe_source()
    found = axe.violations(page, source) + [f"tap target {line}" for line in axe.small_targets(page)]
    assert found == [], f"{label}: {found}"


@pytest.mark.timeout(300)
def test_a_reader_goes_live_and_two_viewers_watch_chat_and_send_gifts(three_phones, people, screenshot):
    luna, nova, orla = people
    studio, nova_phone, orla_phone = three_phones

    # Nova and Orla wait on /live.
    for phone, email in ((nova_phone, "nova@example.test"), (orla_phone, "orla@example.test")):
        sign_in(phone, email)
        phone.get_by_role("navigation", name="Main (mobile)").get_by_role("link", name="Live").click()
        expect(phone.get_by_role("heading", name="Live", exact=True)).to_be_visible()
        expect(phone.get_by_text("Nobody is live right now.")).to_be_visible()

    # Luna opens her studio from the dashboard: her camera preview plays.
    sign_in(studio, "luna@example.test")
    studio.goto("/reader")
    studio.get_by_role("link", name="Go live or schedule a stream").click()
    studio.get_by_label("Title").fill("Tarot by candlelight")
    studio.get_by_role("button", name="Continue").click()
    expect(studio).to_have_url(re.compile(r"/live/\d+$"))
    stream_id = int(studio.url.rsplit("/", 1)[1])
    expect(studio.locator("#stream-video-state")).to_have_text(
        "This is your preview. Viewers see you once you go live.", timeout=45_000
    )
    expect(studio.locator("#stream-screen video")).to_have_count(1)
    expect(studio.get_by_role("button", name="Mute")).to_be_visible()
    screenshot(studio, "studio-preview")

    # She goes live: her page reloads live and asks for a host token; the viewers' /live shows her.
    def is_token(response):
        return urlsplit(response.url).path == f"/live/{stream_id}/token"

    with studio.expect_response(is_token, timeout=40_000) as host_token:
        studio.get_by_role("button", name="Go live").click()
    expect(studio.locator(".stream-status .tag-live")).to_have_text("Live")
    host = host_token.value.json()
    db.session.expire_all()
    channel = db.session.get(Stream, stream_id).channel
    assert (host["role"], host["uid"], host["channel"]) == ("host", luna.id, channel)
    for phone in (nova_phone, orla_phone):
        card = phone.locator(".stream-card").filter(has_text="Tarot by candlelight")
        expect(card).to_contain_text("Live", timeout=10_000)
        with phone.expect_response(is_token, timeout=40_000) as viewer_token:
            card.get_by_role("link", name="Tarot by candlelight").click()
        expect(phone.get_by_role("heading", name="Tarot by candlelight")).to_be_visible()
        data = viewer_token.value.json()
        person = nova if phone is nova_phone else orla
        assert (data["role"], data["uid"], data["channel"]) == ("audience", person.id, channel)
        assert (data["host_uid"], data["audience_level"]) == (luna.id, 1)

    # Agora is out of reach: each page says so; the join was asked with the person's own token.
    for phone, person in ((studio, luna), (nova_phone, nova), (orla_phone, orla)):
        expect(phone.locator("#stream-video-state")).to_contain_text(VIDEO_FAILED, timeout=45_000)
        expect(phone.locator("#stream-video-state")).to_contain_text("The chat and gifts still work")
        expect(phone.get_by_role("button", name="Try the video again")).to_be_visible()
        asked = [body for url, body in phone.refused if f'"cname":"{channel}"' in body]
        assert asked and all(f'"uid":{person.id}' in body for body in asked), phone.refused[:3]

    # The viewer count reaches everyone (heartbeats, pushed by the tick).
    for phone in (studio, nova_phone, orla_phone):
        expect(phone.locator(".stream-viewers-number")).to_have_text("2", timeout=20_000)

    # Nova sends a Rose: every page sees it arrive, and the board.
    nova_phone.get_by_role("button", name=re.compile(r"^Rose")).click()
    expect(nova_phone.locator(".gift-sent")).to_have_text("You sent a Rose ($1.00). Thank you!")
    for phone in (studio, nova_phone, orla_phone):
        expect(phone.locator(".gift-burst")).to_contain_text("Nova sent a Rose")
        expect(phone.locator(".board-top .board-rank-1")).to_contain_text("Nova")
        expect(phone.locator(".chat-gift").filter(has_text="Nova sent a Rose")).to_be_visible()
    # Animated for Nova; a still badge for Orla, who prefers reduced motion.
    assert nova_phone.locator(".gift-burst-icon").evaluate("e => getComputedStyle(e).animationName") == "gift-float"
    assert orla_phone.locator(".gift-burst-icon").evaluate("e => getComputedStyle(e).animationName") == "none"

    # A double tap on the Heart is one gift.
    nova_phone.wait_for_timeout(600)  # one gift per 500 ms
    nova_phone.get_by_role("button", name=re.compile(r"^Heart")).dblclick()
    expect(nova_phone.locator(".gift-sent")).to_have_text("You sent a Heart ($2.50). Thank you!")
    expect(orla_phone.locator(".board-top .board-rank-1")).to_contain_text("$3.50")

    # Orla sends a Star anonymously: she tops the board as "Anonymous", live on every page.
    orla_phone.get_by_label("Send anonymously").check()
    orla_phone.get_by_role("button", name=re.compile(r"^Star")).click()
    expect(orla_phone.locator(".gift-sent")).to_have_text("You sent a Star ($5.00). Thank you!")
    for phone in (studio, nova_phone, orla_phone):
        expect(phone.locator(".board-top .board-rank-1")).to_contain_text("Anonymous")
        expect(phone.locator(".board-top .board-rank-1")).to_contain_text("$5.00")
        expect(phone.locator(".board-top .board-rank-2")).to_contain_text("Nova")
    expect(studio.locator(".gift-burst")).to_contain_text("Anonymous sent a Star")
    expect(studio.locator(".gift-burst")).not_to_contain_text("Orla")

    # The chat, both ways.
    orla_phone.get_by_label("Message").fill("Thank you Luna, this is beautiful.")
    orla_phone.get_by_role("button", name="Send").click()
    for phone in (studio, nova_phone):
        expect(phone.locator(".chat-line").filter(has_text="this is beautiful")).to_contain_text("Orla")
    studio.get_by_role("textbox", name="Message").fill("Welcome, everyone. Let us begin.")
    studio.get_by_role("button", name="Send").click()
    expect(nova_phone.locator(".chat-line").filter(has_text="Let us begin")).to_contain_text("Reader")

    # Luna mutes Orla from her line: Orla's next line is refused and says why; Luna lets her speak again.
    line = studio.locator(".chat-line").filter(has_text="this is beautiful")
    line.locator(".chat-moderate > summary").click()
    line.get_by_role("button", name="Mute Orla").click()
    expect(studio.locator("#stream-restrictions")).to_contain_text("Orla · Muted: watches, cannot chat")
    orla_phone.get_by_label("Message").fill("Can you hear me?")
    orla_phone.get_by_role("button", name="Send").click()
    expect(orla_phone.locator("#stream-chat-error")).to_have_text(
        "You were muted in this stream, so your messages are not sent. You can still watch."
    )
    studio.get_by_role("button", name="Unmute Orla").click()
    expect(studio.locator("#stream-restrictions")).to_contain_text("Nobody is muted or banned.")

    # Her top-ten list with Orla's own place.
    orla_phone.get_by_role("link", name="Top 10 and your place").click()
    expect(orla_phone.locator(".board-full .board-mine")).to_contain_text("Anonymous (you)")

    assert gift_postings() == 3
    assert (wallet_of(nova), wallet_of(orla)) == (1000 - 350, 1000 - 500)
    assert (earnings_of(luna), revenue()) == (70 + 175 + 350, 30 + 75 + 150)

    for phone, label in ((nova_phone, "viewer"), (studio, "host")):
        phone.evaluate("window.scrollTo(0, 0)")
        no_axe_violations(phone, label)
    screenshot(nova_phone, "viewer-live")
    screenshot(orla_phone, "viewer-reduced-motion")
    screenshot(studio, "host-live")

    # Luna ends the stream; the viewers' pages follow by themselves.
    studio.locator(".stream-end > summary").click()
    studio.get_by_role("button", name="End now").click()
    expect(studio.get_by_role("heading", name="This stream has ended")).to_be_visible()
    expect(studio.get_by_text("you earned $5.95")).to_be_visible()
    for phone in (nova_phone, orla_phone):
        expect(phone.get_by_role("heading", name="This stream has ended")).to_be_visible(timeout=10_000)
        expect(phone.locator("#gift-tray")).to_have_count(0)
    screenshot(nova_phone, "viewer-ended")

    for phone in (studio, nova_phone, orla_phone):
        assert phone.watched.problems() == [], phone.watched.problems()
    assert all(check.ok for check in verify.run())


@pytest.mark.timeout(300)
def test_a_premium_stream_is_watched_with_an_entry_ticket_only(three_phones, people, screenshot):
    """Luna schedules a premium stream ($5 entry) a few minutes ahead and starts it; Nova and Orla,
    in two contexts, see it "Live" on /live. Nova asked to be reminded and is told live when it
    starts; without a ticket the page offers the entry and the token is refused; Nova buys it (held,
    not yet Luna's), watches and sends a Rose: her page and Luna's see the animation and the board
    change live, while Orla, without a ticket, gets no token and none of it. Orla then buys entry
    too, Nova sends a Heart, and both viewers (and Luna) see it arrive and the board change live."""
    luna, nova, orla = people
    studio, nova_phone, orla_phone = three_phones
    sign_in(studio, "luna@example.test")
    studio.goto("/reader/streams/new")
    studio.get_by_label("Title").fill("New moon, premium")
    studio.get_by_label("Premium: viewers buy an entry").check()
    studio.get_by_label("Entry price (premium only)").fill("5")
    start = (clock.now() + timedelta(minutes=5)).replace(tzinfo=None)
    studio.get_by_label("Start time (UTC, optional)").fill(start.strftime("%Y-%m-%dT%H:%M"))
    studio.get_by_role("button", name="Continue").click()
    expect(studio).to_have_url(re.compile(r"/live/\d+$"))
    stream_id = int(studio.url.rsplit("/", 1)[1])
    expect(studio.get_by_role("button", name="Go live")).to_be_visible()

    sign_in(nova_phone, "nova@example.test")
    nova_phone.goto("/live")
    card = nova_phone.locator(".stream-card").filter(has_text="New moon, premium")
    expect(card).to_contain_text("$5.00 entry")
    card.get_by_role("button", name="Remind me").click()
    expect(card.get_by_role("button", name="Cancel the reminder")).to_be_visible()

    sign_in(orla_phone, "orla@example.test")
    orla_phone.goto("/live")
    studio.get_by_role("button", name="Go live").click()
    expect(studio.locator(".stream-status .tag-live")).to_have_text("Live")
    expect(nova_phone.locator(".bell-slot")).to_contain_text("1", timeout=10_000)  # "Luna is live now"
    for phone in (nova_phone, orla_phone):  # /live follows by itself: Live, the kind and the price
        card = phone.locator(".stream-card").filter(has_text="New moon, premium")
        expect(card).to_contain_text("Live", timeout=10_000)
        expect(card).to_contain_text("$5.00 entry")

    nova_phone.goto(f"/live/{stream_id}")
    expect(nova_phone.get_by_role("heading", name="Entry: $5.00")).to_be_visible()
    expect(nova_phone.locator("#stream-chat-form")).to_have_count(0)
    refused = nova_phone.request.get(f"/live/{stream_id}/token")
    assert refused.status == 403 and "Buy an entry ticket" in refused.json()["error"]
    nova_phone.evaluate("window.scrollTo(0, 0)")
    no_axe_violations(nova_phone, "premium entry")
    screenshot(nova_phone, "premium-entry")
    nova_phone.get_by_role("button", name="Buy entry for $5.00").click()
    expect(nova_phone.locator("#stream-chat-form")).to_be_visible()
    expect(nova_phone.get_by_role("button", name=re.compile(r"^Rose"))).to_be_visible()
    assert nova_phone.request.get(f"/live/{stream_id}/token").json()["role"] == "audience"
    db.session.expire_all()
    assert wallet_of(nova) == 500 and earnings_of(luna) == 0  # held until the stream has run 5 minutes

    # Orla opens it without a ticket: the entry, no token, no chat, no gifts.
    orla_phone.goto(f"/live/{stream_id}")
    expect(orla_phone.get_by_role("heading", name="Entry: $5.00")).to_be_visible()
    assert orla_phone.request.get(f"/live/{stream_id}/token").status == 403

    # Nova sends a Rose: the animation and the board change live on her page and Luna's.
    expect(studio.locator(".stream-viewers-number")).to_have_text("1", timeout=20_000)  # Nova is counted
    nova_phone.get_by_role("button", name=re.compile(r"^Rose")).click()
    expect(nova_phone.locator(".gift-sent")).to_have_text("You sent a Rose ($1.00). Thank you!")
    for phone in (studio, nova_phone):
        expect(phone.locator(".gift-burst")).to_contain_text("Nova sent a Rose")
        expect(phone.locator(".board-top .board-rank-1")).to_contain_text("Nova")
        expect(phone.locator(".board-top .board-rank-1")).to_contain_text("$1.00")
    expect(orla_phone.locator(".gift-burst")).to_have_count(0)  # nothing of it reaches her
    expect(orla_phone.locator(".board-top")).to_have_count(0)

    # Orla buys entry too; Nova sends a Heart: both viewers and Luna see it arrive, the board changes.
    orla_phone.get_by_role("button", name="Buy entry for $5.00").click()
    expect(orla_phone.locator("#stream-chat-form")).to_be_visible()
    expect(orla_phone.locator(".board-top .board-rank-1")).to_contain_text("$1.00")  # the page as it opens
    assert orla_phone.request.get(f"/live/{stream_id}/token").json()["role"] == "audience"
    expect(studio.locator(".stream-viewers-number")).to_have_text("2", timeout=20_000)  # both counted
    nova_phone.get_by_role("button", name=re.compile(r"^Heart")).click()
    expect(nova_phone.locator(".gift-sent")).to_have_text("You sent a Heart ($2.50). Thank you!")
    for phone in (studio, nova_phone, orla_phone):
        expect(phone.locator(".gift-burst")).to_contain_text("Nova sent a Heart")
        expect(phone.locator(".board-top .board-rank-1")).to_contain_text("$3.50")
        expect(phone.locator(".chat-gift").filter(has_text="Nova sent a Heart")).to_be_visible()
    orla_phone.evaluate("window.scrollTo(0, 0)")
    no_axe_violations(orla_phone, "premium viewer")
    screenshot(orla_phone, "premium-viewer")

    db.session.expire_all()
    assert (wallet_of(nova), wallet_of(orla)) == (1000 - 500 - 100 - 250, 1000 - 500)
    assert gift_postings() == 2
    assert earnings_of(luna) == 70 + 175  # the gifts' share now; the tickets wait in their holds
    for phone in (studio, nova_phone, orla_phone):
        assert phone.watched.problems() == [], phone.watched.problems()
    assert all(check.ok for check in verify.run())
