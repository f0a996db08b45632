"""The accessibility tours (tests/e2e/test_accessibility*.py): everyone and everything the pages
show, each role's tour of the pages, and the walk that checks each page. The tours are split over
three test files so that the test workers share them (each file runs on one worker)."""

import re
import uuid
from datetime import timedelta

import sqlalchemy as sa
from playwright.sync_api import expect

from soulseer import clock
from soulseer.extensions import db as database
from soulseer.ledger import accounts as ledger_accounts
from soulseer.models import ReaderProfile, ReaderStatus, Stream, TokenPurpose
from soulseer.services.accounts import applications, invitations, tokens
from soulseer.services.community import categories as community_categories
from soulseer.services.community import replies as community_replies
from soulseer.services.community import threads as community_threads
from soulseer.services.core import content
from soulseer.services.messages import conversations, sending
from soulseer.services.moderation import flags
from soulseer.services.readings import reviews
from soulseer.services.shop import buying, checkout
from soulseer.services.shop import products as shop_products
from soulseer.services.streams import chat as stream_chat
from soulseer.services.streams import gifts as stream_gifts
from soulseer.services.streams import lifecycle as stream_lifecycle
from tests.e2e.conftest import PASSWORD, _new_page, account, close_context, sign_in
from tests.readings.conftest import Session, fund
from tests.support import axe, shop
from tests.support.passwords import hashed
from tests.support.topups import pending_topup

WIDE = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

# GET routes that are not pages a person reads: files, streams, JSON, redirects to elsewhere.
NOT_PAGES = {
    "static",
    "media.file",
    "events.stream",
    "health.healthz",
    "pwa.manifest",
    "pwa.service_worker",
    "pwa.assetlinks",
    "readings.rtc_token",
    "readings.status",  # the room's HTMX fragment, checked inside the room page
    "account.export",
    "wallet.history_csv",
    "auth.auth0_sign_in",  # a redirect to Auth0
    "auth.auth0_callback",
    "community.thread_without_slug",  # a redirect to the thread's canonical URL
    "community.reply_link",  # a redirect to the page of the thread that shows the reply
    "community.reply_form",  # the reply form's HTMX fragment, checked inside the thread page
    "bookings.calendar_file",  # an .ics file
    "bookings.calendar_feed",  # the private calendar feed (.ics)
    "community.new_replies",  # the open thread's "new replies" line (HTMX), checked in the browser story
    "reader.payouts_refresh",  # a redirect to Stripe's onboarding (a new link)
    "reader.payouts_return",  # back from Stripe's onboarding: asks Stripe, then a redirect to the payouts page
    "streams.token",  # JSON for the stream's video
    "shop.download",  # a counted redirect to the file's short-lived link
    "media.download",  # the file itself
}


def world(make_user):
    """Everyone and everything the pages show: a reader online, a finished and reviewed reading, a
    finished one to review, a reading in progress, a top-up, an application, a report, an
    invitation and a reset link. Returns the ids and tokens the tours' paths need."""
    client = account(make_user, "client", "nova@example.test", "Nova")
    reader = account(make_user, "reader", "luna@example.test", "Luna Starling")
    admin = account(make_user, "admin", "ada@example.test", "Ada")
    fresh = make_user(role="client", email="new@example.test", display_name="Fresh", password_hash=hashed(PASSWORD))
    profile = ReaderProfile(
        user_id=reader.id,
        slug="luna",
        display_name="Luna Starling",
        tagline="Tarot for crossroads",
        bio="I read tarot gently and honestly for people at a crossroads in love and work.",
        rate_chat_cents=150,
    )
    orion = account(make_user, "reader", "orion@example.test", "Orion Vale")
    database.session.add(profile)
    database.session.add(ReaderProfile(user_id=orion.id, slug="orion", display_name="Orion Vale", rate_chat_cents=200))
    content.seed_pages({"terms": ("Terms of use", "The terms.")})
    database.session.commit()
    fund(client, 5_000)

    # The readings happen now, on the test's own clock: the live server's billing tick runs on the
    # real clock and would end a reading dated in the past under the test's hands.
    now = clock.now().replace(microsecond=0)
    finished = []
    with clock.frozen(now):
        for _ in range(2):
            session = Session(client, reader, rate=150, origin=clock.now())
            session.accept()
            session.join_both()
            session.run_until(130)
            session.finish(client)
            finished.append(session.id)
    clock.reset()
    reviewed = reviews.create(client, finished[0], 5, "Luna saw straight to the heart of it.")
    database.session.commit()
    live = Session(client, reader, rate=150, origin=clock.now())
    live.accept()
    live.join_both()
    profile = database.session.get(ReaderProfile, profile.id)
    profile.status, profile.last_seen_at = ReaderStatus.ONLINE, clock.now()

    applications.submit_application(
        legal_name="Wren Holloway",
        email="wren@example.test",
        phone="+1 555 0100",
        years_of_practice=4,
        specialties=applications.specialty_names()[:2],
        modes=["chat"],
        bio="I have read the cards for friends and family for years, calmly and honestly.",
        why_soulseer="I want a careful place to read for strangers, with fair rules for both sides.",
        links="",
        agreement=True,
    )
    flags.flag(client, "reader_profile", profile.id, "spam", "Her tagline advertises another website.")
    invited = invitations.create_invited_user("sol@example.test", "Sol Reyes", "reader")
    invitation = invitations.send(invited)
    reset = tokens.issue(fresh, TokenPurpose.RESET_PASSWORD, fresh.email, timedelta(hours=1))
    conversation, _ = conversations.open_with(conversations.pair_for(client, reader))
    sending.send(conversation, client, "Hello Luna, could you read for me about a move abroad?")
    sending.send(conversation, reader, "Yes: here is what the cards say about the move.", price_cents=400)
    topup = pending_topup(client)
    thread = community_threads.start(client, community_categories.by_slug("general"), "How do you prepare?",
                                     "I light a candle and **breathe**. What do you do?")  # fmt: skip
    answer = community_replies.create(reader, thread, "I shuffle three times and ask one clear question.")
    booked = _booking(client, reader, profile)
    # Orion is live (Luna is in a reading). Made directly: this live server has no Agora, so no
    # reader could announce a stream here; the page then says the video is not set up.
    stream_id = database.session.scalar(sa.text("SELECT nextval('streams_id_seq')"))
    stream = Stream(id=stream_id, reader_id=orion.id, title="Full moon tarot", state="live",
                    channel=stream_lifecycle.channel_for(stream_id), started_at=clock.now())  # fmt: skip
    database.session.add(stream)
    database.session.flush()
    stream_gifts.send(stream, client, stream_gifts.catalogue()[0].id, str(uuid.uuid4()))
    stream_chat.post(stream, client, "Thank you for this reading, Orion!")
    database.session.commit()
    guide = shop.digital_product(admin, title="Tarot for Beginners", featured=True, description="A **gentle** start.")
    crystal = shop.physical_product(admin, title="Rose Quartz Point", stock=5)
    address = buying.Address(name="Nova", line1="1 Main St", city="Springfield", postal_code="62701", country="US")
    fund(client, 10_000, key="shop")
    digital_order = buying.buy_from_wallet(client, guide.id, 1, "tour-1")
    physical_order = buying.buy_from_wallet(client, crystal.id, 1, "tour-2", address)
    database.session.commit()
    card_order = checkout.start(
        client, crystal.id, "1", "tour-3", return_url=lambda order: "/", cancel_url="/",
        test_checkout_url=lambda order: f"/orders/{order.id}/test-checkout",
    )  # fmt: skip
    rituals = shop_products.Details(kind="digital", title="Moon Rituals", category="guides", price="9.99")
    waiting = shop_products.submit(reader, rituals, file=shop.pdf_upload())
    database.session.commit()
    return {
        "client": client.id,
        "reader": reader.id,
        "fresh": fresh.id,
        "profile": profile.id,
        "finished": finished[1],
        "reviewed": finished[0],
        "review": reviewed.id,
        "live": live.id,
        "topup": topup.id,
        "conversation": conversation.id,
        "thread": thread.id,
        "answer": answer.id,
        "stream": stream.id,
        "wallet": ledger_accounts.find_wallet(client).id,
        "invitation": invitation,
        "reset": reset,
        "booking": booked.id,
        "booking_start": booked.starts_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "guide": guide.slug,
        "guide_id": guide.id,
        "crystal": crystal.slug,
        "digital_order": digital_order.id,
        "physical_order": physical_order.id,
        "card_order": card_order.id,
        "reader_product": waiting.id,
    }


def _booking(client, reader, profile):
    """Luna takes bookings every day 9:00–17:00 in New York; Nova has one three days ahead."""
    from soulseer.services.bookings import availability, booking

    availability.save(reader, availability.AvailabilityInput(
        time_zone="America/New_York", lengths=[30, 60], prices={30: "10"},
        weekly={day: "9:00-17:00" for day in range(7)},
    ))  # fmt: skip
    fund(client, 1_000, key="booking")
    start = (clock.now() + timedelta(days=3)).replace(hour=15, minute=0, second=0, microsecond=0)  # 10:00 EST
    return booking.book(client, profile, "chat", 30, start, "Europe/London")


def _ids():
    from soulseer.models import ModerationItem, ReaderApplication

    return {
        "application": database.session.query(ReaderApplication.id).scalar(),
        "item": database.session.query(ModerationItem.id).scalar(),
    }


# Each tour: the paths a role opens, in order. {name} is filled from world(). A path may end in
# " !post" to check the page a form answers with its field errors (an empty form sent).
TOURS = {
    "visitor": [
        "/",
        "/readers",
        "/readers/filters?sheet=open",  # the filter sheet, open (the list page without JavaScript)
        "/readers/luna",
        "/readers/nobody",  # the 404 page
        "/pages/terms",
        "/sign-in",
        "/sign-in !post",
        "/sign-up",
        "/sign-up !post",
        "/reset-password",
        "/reset-password/{reset}",
        "/verify-email/not-a-token",  # the link problem page
        "/invitations/{invitation}",
        "/become-a-reader",
        "/become-a-reader !post",
        "/become-a-reader !apply",  # lands on the thank-you page
        "/offline",
        "/dev/mail",
        "/community",
        "/community/general",
        "/community/t/{thread}-how-do-you-prepare",
        "/shop",
        "/shop?kind=physical&q=nothing-like-this",  # the empty state
        "/shop/{guide}",
    ],
    "fresh": ["/welcome/consent", "/welcome/consent !post"],
    "client": [
        "/dashboard",
        "/",
        "/readers",
        "/readers/luna",
        "/favourites",
        "/notifications",
        "/readings/history",
        "/readings/new?reader=luna",
        "/readings/{live}",
        "/readings/{finished}",
        "/readings/{finished}/review",
        "/readings/{finished}/review !post",
        "/readings/{reviewed}/transcript",
        "/report/reader_profile/{profile}",
        "/messages",
        "/messages/{conversation}",
        "/messages/new?reader=orion",
        "/community/general/new",
        "/community/general/new !post",
        "/community/t/{thread}-how-do-you-prepare",
        "/community/t/{thread}/edit",
        "/readers/luna/book",
        "/readers/luna/book?start={booking_start}&length=60",  # the confirmation step
        "/bookings",
        "/bookings/{booking}",
        "/live",
        "/live/{stream}",
        "/live/{stream}/board",
        "/wallet",
        "/wallet/topups/new",
        "/wallet/topups/new !post",
        "/wallet/topups/{topup}",
        "/wallet/test-checkout/{topup}",
        "/shop",
        "/shop/{guide}",
        "/shop/{crystal}",
        "/shop/{crystal} !post",
        "/orders",
        "/orders/{digital_order}",
        "/orders/{physical_order}",
        "/orders/{card_order}",  # waiting for its card payment
        "/orders/{card_order}/test-checkout",
        "/account",
        "/account !post",
    ],
    "reader": [
        "/reader",
        "/reader/profile",
        "/reader/profile !post",
        "/reader/readings",
        "/reader/products",
        "/reader/products/new",
        "/reader/products/new !post",
        "/reader/products/{reader_product}",
        "/reader/reviews",
        "/reader/availability",
        "/reader/availability !post",  # the date form sent empty: its field errors
        "/bookings",
        "/bookings/{booking}",
        "/reader/payouts",
        "/reader/payouts !setup",  # "Set up payouts": lands on the TEST onboarding page (test payouts)
        "/reader/payouts/test-dashboard",
        "/readings/{live}",
        "/readings/{reviewed}",
        "/readings/{reviewed}/transcript",
        "/messages",
        "/messages/{conversation}",
        "/notifications",
        "/account",
        "/community/replies/{answer}/edit",
        "/reader/streams/new",
    ],
    "admin": [
        "/admin",
        "/admin/users",
        "/admin/users/{client}",
        "/admin/invite-reader",
        "/admin/invite-reader !post",
        "/admin/applications",
        "/admin/applications/{application}",
        "/admin/readers",
        "/admin/readers/{profile}",
        "/admin/specialties",
        "/admin/readings",
        "/admin/streams",
        "/admin/streams/gifts",
        "/admin/readings/{reviewed}",
        "/admin/bookings",
        "/admin/bookings/{booking}",
        "/admin/ledger",
        "/admin/ledger/accounts/{wallet}",
        "/admin/ledger/stripe-events",
        "/admin/payouts",
        "/admin/moderation",
        "/admin/moderation/{item}",
        "/admin/community",
        "/community/t/{thread}-how-do-you-prepare",
        "/admin/products",
        "/admin/products/waiting",
        "/admin/products/new",
        "/admin/products/new !post",
        "/admin/products/{guide_id}",
        "/admin/orders",
        "/admin/orders/{physical_order}",
        "/admin/orders/{digital_order}",
        "/admin/pages",
        "/admin/pages/terms",
        "/admin/audit",
    ],
}
# Actions that land on a page of their own.
LANDS_ON = {"apply": "applications.thanks", "setup": "reader.test_onboarding"}
SIGN_IN = {
    "client": "nova@example.test",
    "reader": "luna@example.test",
    "admin": "ada@example.test",
    "fresh": "new@example.test",
}


class _Any(dict):
    def __missing__(self, key):
        return "1"


def _check(page, source, label):
    """axe and the tap targets at the phone's width and the laptop's; problems as lines."""
    found = []
    for name, viewport in (("390", PHONE), ("1280", WIDE)):
        page.set_viewport_size(viewport)
        found += [f"{label} @{name}: {line}" for line in axe.violations(page, source)]
        found += [f"{label} @{name}: tap target {line}" for line in axe.small_targets(page)]
    page.set_viewport_size(PHONE)
    found += [f"{label}: duplicate id {line}" for line in axe.duplicate_ids(page)]
    return found


def _apply(page):
    """Send a complete application, which lands on its thank-you page."""
    page.get_by_label("Legal name").fill("Selene Marsh")
    page.get_by_label("Email").fill("selene@example.test")
    page.get_by_label("Phone").fill("+44 20 7946 0958")
    page.get_by_label("Years of practice").fill("12")
    page.get_by_role("checkbox", name="Tarot").check()
    page.get_by_role("checkbox", name="Dreams").check()
    page.get_by_role("checkbox", name="Chat").check()
    page.get_by_label("About you").fill("I have read tarot for twelve years, for friends and then for clients, calmly.")
    page.get_by_label("Why SoulSeer?").fill("Fair pay for readers, and clients pay only for what they get.")
    page.get_by_label("I have read and accept the Reader agreement").check()
    page.get_by_role("button", name="Send my application").click()
    expect(page).to_have_url(re.compile("/become-a-reader/thank-you$"))


def _post_empty(page):
    """Send the page's main form as it is (empty), to check the page with its field errors."""
    form = page.locator("main form[method=post]:has(button[type=submit])").last
    with page.expect_navigation():
        form.locator("button[type=submit]").last.click()


def tour_problems(role, app, browser, live_server, make_user):
    """Walk `role`'s tour at the phone's width and the laptop's: axe's serious and critical
    violations, small tap targets and duplicate ids of every page, as lines (none: [])."""
    with app.test_request_context():  # the services write links (notifications, emails)
        values = world(make_user) | _ids()
    source = axe.axe_source()
    context, page = _new_page(browser, live_server)
    problems = []
    try:
        if role in SIGN_IN and role != "fresh":
            sign_in(page, SIGN_IN[role])
        elif role == "fresh":
            page.goto("/sign-in")
            page.get_by_label("Email").fill(SIGN_IN[role])
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            expect(page).to_have_url(re.compile("/welcome/consent"))
        for entry in TOURS[role]:
            path, _, action = entry.partition(" !")
            page.goto(path.format_map(values))
            if action == "post":
                _post_empty(page)
            elif action == "apply":
                _apply(page)
            elif action == "setup":
                page.get_by_role("button", name="Set up payouts").click()
                expect(page).to_have_url(re.compile("/reader/payouts/test-onboarding/"))
            problems += _check(page, source, entry)
    finally:
        close_context(context)
    return problems
