"""The community's rules in the browser (issue #15), each a person's story at 390×844 unless it says
a laptop: a new member goes too fast and is told, in words, when to try again; Announcements are the
team's; an author deletes a reply and its answers still read; a notification of a reply on the
thread's second page lands on it; the categories page follows new threads live; a post with
self-harm language shows its writer (only) the crisis banner; an admin locks, moves and removes on a
laptop and suspends an author from the queue, and members see why (a locked thread says so, a
suspended author's posts are marked, three reports hide a reply from everyone but its author); an
admin renames and reorders a category."""

import re
from datetime import timedelta

from playwright.sync_api import expect

from tests.e2e.conftest import Watched, _new_page, account, close_context, sign_in
from tests.support import axe

LAPTOP = {"width": 1280, "height": 800}


def _thread(author, title="How do you prepare for a reading?", slug="general", body="I light a candle. You?"):
    from soulseer.extensions import db
    from soulseer.services.community import categories, threads

    thread = threads.start(author, categories.by_slug(slug), title, body)
    db.session.commit()
    return thread


def _reply(thread, author, body, **fields):
    """A reply stored directly (no rate limits: the stories post many)."""
    from soulseer import clock
    from soulseer.extensions import db
    from soulseer.models import CommunityPost
    from soulseer.services.community import rendering

    post = CommunityPost(thread_id=thread.id, author_id=author.id, body=body, body_html=rendering.to_html(body),
                         created_at=clock.now(), **fields)  # fmt: skip
    db.session.add(post)
    thread = db.session.merge(thread)
    thread.reply_count += 1
    db.session.commit()
    return post


def _aged(user, days=30):
    """An account `days` old: past the first day's limits (F-5), a trusted reporter (F-8)."""
    from soulseer import clock
    from soulseer.extensions import db

    user.created_at = clock.now() - timedelta(days=days)
    db.session.commit()
    return user


def test_a_new_member_going_too_fast_is_told_when_to_try_again(page, make_user, db, screenshot):
    from soulseer.models import CommunityThread

    account(make_user, "client", "nova@example.test", "Nova")  # created now: a new account
    sign_in(page, "nova@example.test")
    page.goto("/community/general/new")
    page.get_by_label("Title").fill("Hello from a new member")
    page.get_by_label("Your post").fill("Glad to be here. Which category is for first readings?")
    page.get_by_role("button", name="Post the thread").click()
    expect(page.get_by_role("heading", name="Hello from a new member", level=1)).to_be_visible()

    page.goto("/community/readings/new")
    page.get_by_label("Title").fill("My first reading")
    page.get_by_label("Your post").fill("It went well: Luna was kind and clear.")
    page.get_by_role("button", name="Post the thread").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "a new account posts one thread every 2 minutes and 3 threads on its first day). Try again in 2 minutes."
    )
    expect(page.get_by_label("Your post")).to_have_value("It went well: Luna was kind and clear.")  # kept
    screenshot(page, "too-fast")
    assert db.session.query(CommunityThread).count() == 1

    # Announcements are the team's: the page says so, and its form is not there.
    page.goto("/community/announcements")
    expect(
        page.get_by_text("Only SoulSeer's team starts threads in Announcements; everyone can reply.")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Start a thread")).to_have_count(0)
    assert page.request.get("/community/announcements/new").status == 403
    assert page.watched.problems() == []


def test_an_author_deletes_a_reply_and_the_answers_under_it_still_read(page, make_user, db, screenshot):
    nova = account(make_user, "client", "nova@example.test", "Nova")
    cleo = account(make_user, "client", "cleo@example.test", "Cleo")
    thread = _thread(nova)
    mine = _reply(thread, cleo, "I meditate for ten minutes first.")
    _reply(thread, nova, "Ten minutes is a good length.", parent_id=mine.id)
    sign_in(page, "cleo@example.test")
    page.goto(f"/community/replies/{mine.id}")
    post = page.locator(f"#post-{mine.id}")
    post.locator("summary", has_text="Delete").click()
    post.get_by_role("button", name="Delete the reply").click()
    expect(page.locator(f"#post-{mine.id}")).to_have_text("This reply was deleted by its author.")
    expect(page.locator(".community-post-nested")).to_contain_text("Ten minutes is a good length.")
    screenshot(page, "deleted")
    assert page.watched.problems() == []


def test_a_reply_notification_lands_on_the_threads_second_page(page, make_user, db, screenshot):
    from soulseer.extensions import db as database
    from soulseer.services.community import replies

    nova = _aged(account(make_user, "client", "nova@example.test", "Nova"))
    cleo = _aged(account(make_user, "client", "cleo@example.test", "Cleo"))
    thread = _thread(nova, title="A long conversation")
    for n in range(replies.REPLIES_PER_PAGE):
        _reply(thread, cleo, f"Thought number {n}")
    answer = replies.create(cleo, database.session.merge(thread), "One more, on the second page, for @Nova.")
    database.session.commit()

    sign_in(page, "nova@example.test")
    expect(page.locator("#notification-bell")).to_have_attribute("aria-label", "Notifications, 1 unread")
    page.locator("#notification-bell").click()
    page.get_by_role("link", name=re.compile("Cleo replied to your thread “A long conversation”")).click()
    expect(page).to_have_url(re.compile(rf"\?page=2#post-{answer.id}$"))
    target = page.locator(f"#post-{answer.id}")
    expect(target).to_contain_text("on the second page")
    expect(target).to_be_in_viewport()
    expect(page.get_by_role("navigation", name="Reply pages")).to_contain_text("Page 2 of 2")
    screenshot(page, "second-page")
    assert page.watched.problems() == []


def test_the_categories_page_follows_new_threads_live(page, second_page, make_user, db):
    account(make_user, "client", "nova@example.test", "Nova")
    cleo = _aged(account(make_user, "client", "cleo@example.test", "Cleo"))
    sign_in(page, "nova@example.test")
    page.goto("/community")
    readings = page.locator(".community-category", has=page.get_by_role("link", name="Readings"))
    expect(readings).to_contain_text("0 threads")
    page.wait_for_function("document.querySelector('[sse-connect]') && htmx")  # the event stream is open
    page.wait_for_timeout(500)
    _thread(cleo, title="A reading that helped", slug="readings")
    expect(readings).to_contain_text("1 thread ·", timeout=15_000)  # no reload: the list came again
    assert page.watched.problems() == []


def test_self_harm_language_shows_its_writer_the_crisis_banner_and_no_one_else(page, second_page, make_user, db,
                                                                                screenshot):  # fmt: skip
    from soulseer.models import ModerationItem

    account(make_user, "client", "nova@example.test", "Nova")
    account(make_user, "client", "cleo@example.test", "Cleo")
    sign_in(page, "nova@example.test")
    page.goto("/community/spiritual-growth/new")
    page.get_by_label("Title").fill("Feeling low lately")
    page.get_by_label("Your post").fill("Some days I want to die and I don't know who to talk to.")
    page.get_by_role("button", name="Post the thread").click()
    banner = page.get_by_role("alert").filter(has_text="988")
    expect(banner).to_contain_text("You don't have to go through this alone.")
    expect(banner.get_by_role("link", name="Text 988")).to_have_attribute("href", "sms:988")
    expect(page.locator(".community-opening")).to_contain_text("I want to die")  # published as written
    screenshot(page, "crisis-banner")
    assert db.session.query(ModerationItem).one().urgent  # first in the queue

    sign_in(second_page, "cleo@example.test")
    second_page.goto(page.url)
    expect(second_page.get_by_role("heading", name="Feeling low lately", level=1)).to_be_visible()
    expect(second_page.get_by_text("988lifeline.org")).to_have_count(0)
    assert page.watched.problems() == [] and second_page.watched.problems() == []


def test_an_admin_locks_moves_removes_and_suspends_on_a_laptop_and_members_see_why(
    browser, live_server, page, make_user, db, screenshot
):
    from soulseer.models import AuditEntry
    from soulseer.services.moderation import flags, queue

    nova = _aged(account(make_user, "client", "nova@example.test", "Nova"))
    orion = _aged(account(make_user, "client", "orion@example.test", "Orion"))
    account(make_user, "admin", "ada@example.test", "Ada")
    thread = _thread(nova, title="Which deck for a first reading?", slug="readings")
    rude = _reply(thread, orion, "Only fools buy the Rider-Waite.")
    offer = _reply(thread, orion, "Skip the fees: pay me on Venmo and I will read for you.")
    reported = _reply(thread, orion, "Message me elsewhere for cheaper readings.")
    for n in range(3):  # three trusted members report the last one: hidden at once (F-8)
        reporter = _aged(account(make_user, "client", f"reporter{n}@example.test", f"Reporter {n}"))
        flags.flag(reporter, "community_post", reported.id, "off_platform", "Sends people to pay elsewhere.")
        db.session.commit()
    flags.flag(nova, "community_post", offer.id, "off_platform", "Asks to be paid on Venmo.")
    db.session.commit()

    context, admin = _new_page(browser, live_server, viewport=LAPTOP)
    try:
        admin.watched = Watched(admin)
        sign_in(admin, "ada@example.test")
        assert admin.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]  # the header fits
        admin.goto(f"/community/t/{thread.id}")
        expect(admin.locator(f"#post-{reported.id}")).to_contain_text("several people reported it")
        admin.get_by_text("Moderate this thread").click()
        assert axe.small_targets(admin) == []
        admin.get_by_label("Why lock it (shown on the thread)").fill("Answered, thank you all.")
        admin.get_by_role("button", name="Lock", exact=True).click()
        expect(admin.get_by_text("Locked: the thread takes no more replies and says why.")).to_be_visible()
        admin.get_by_text("Moderate this thread").click()
        admin.get_by_label("Move to").select_option(label="Ask a Reader")
        admin.get_by_role("button", name="Move", exact=True).click()
        expect(admin.get_by_text("Moved.")).to_be_visible()
        expect(admin.get_by_role("navigation", name="Breadcrumb")).to_contain_text("Ask a Reader")
        post = admin.locator(f"#post-{rude.id}")
        post.locator("summary", has_text="Remove").click()
        post.get_by_label("Why remove it (its author sees this)").fill("Insults other members.")
        post.get_by_role("button", name="Remove the reply").click()
        expect(admin.locator(f"#post-{rude.id}")).to_contain_text("Removed by a moderator: Insults other members.")
        screenshot(admin, "thread-admin")

        # The reported offer, from the queue: the admin suspends its author.
        admin.goto(f"/admin/moderation/{queue.item_id_for('community_post', offer.id)}")
        expect(admin.get_by_text("Asks to be paid on Venmo.")).to_be_visible()  # Nova's report
        admin.get_by_label("Why suspend the author").fill("Sends members to pay him outside SoulSeer.")
        admin.get_by_role("button", name="Suspend Orion").click()
        expect(admin.get_by_text(re.compile("Suspended", re.IGNORECASE)).first).to_be_visible()
        screenshot(admin, "suspended-from-queue")
        assert admin.watched.problems() == []
    finally:
        close_context(context)

    actions = {e.action for e in db.session.query(AuditEntry)}
    assert {"community_thread.locked", "community_thread.moved", "community_post.hidden", "user.suspended"} <= actions

    # A member on her phone: why it is locked, the removed and hidden replies as placeholders, the
    # suspended author marked.
    sign_in(page, "nova@example.test")
    page.goto(f"/community/t/{thread.id}")
    expect(page.get_by_role("note").first).to_have_text("This thread is locked: Answered, thank you all.")
    expect(page.get_by_label("Your reply")).to_have_count(0)
    expect(page.locator(f"#post-{rude.id}")).to_have_text("This reply was removed by a moderator.")
    expect(page.locator(f"#post-{reported.id}")).to_have_text("This reply is hidden while a moderator looks at it.")
    expect(page.locator(f"#post-{offer.id}")).to_contain_text("Orion Suspended")
    screenshot(page, "locked-phone")
    assert page.watched.problems() == []


def test_an_admin_renames_and_reorders_a_category_and_members_see_it(page, make_user, db, screenshot):
    from soulseer.models import AuditEntry, CommunityCategory

    account(make_user, "admin", "ada@example.test", "Ada")
    saved = [(c.id, c.name, c.description, c.position) for c in db.session.query(CommunityCategory)]
    readings = db.session.query(CommunityCategory).filter_by(slug="readings").one()
    try:
        sign_in(page, "ada@example.test")
        page.goto("/admin/community")
        card = page.locator(f"#category-{readings.id}")
        card.get_by_label("Name").fill("Your Readings")
        card.get_by_label("Description").fill("How a reading went, and what you took from it.")
        card.get_by_label("Place in the list").fill("9")
        card.get_by_role("button", name="Save Readings").click()
        expect(page.get_by_text("Your Readings: saved.")).to_be_visible()
        screenshot(page, "categories-admin")
        page.goto("/community")
        last = page.locator(".community-category").last  # place 9: after Announcements (5)
        expect(last.get_by_role("link", name="Your Readings")).to_have_attribute("href", "/community/readings")
        expect(last).to_contain_text("How a reading went, and what you took from it.")
        entry = db.session.query(AuditEntry).filter_by(action="community_category.updated").one()
        assert entry.before["name"] == "Readings" and entry.after["name"] == "Your Readings"
        assert page.watched.problems() == []
    finally:  # the categories are reference data, kept between tests
        db.session.rollback()
        for category_id, name, description, position in saved:
            row = db.session.get(CommunityCategory, category_id)
            row.name, row.description, row.position = name, description, position
        db.session.commit()
