"""The community in the browser, on phones: a client starts a thread with a link and a list
(previewed in place first), a reader answers it and then answers a reply in place (one level), the
client edits a reply; a visitor reads it all and is asked to sign in to write. Pages are looked at
at 390×844 and 1280×800 (screenshots)."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import account, online_luna, sign_in

LAPTOP = {"width": 1280, "height": 800}


def test_a_client_starts_a_thread_and_a_reader_answers_on_phones(page, second_page, make_user, db, screenshot):
    from soulseer.models import CommunityPost, CommunityThread

    online_luna(make_user)
    account(make_user, "client", "nova@example.test", "Nova")
    sign_in(page, "nova@example.test")

    page.get_by_role("navigation", name="Main (mobile)").get_by_role("link", name="Community").click()
    expect(page.get_by_role("heading", name="Community", level=1)).to_be_visible()
    screenshot(page, "categories")
    page.get_by_role("link", name="Ask a Reader").click()
    page.get_by_role("link", name="Start a thread").click()
    page.get_by_label("Title").fill("Which deck for a first reading?")
    page.get_by_label("Your post").fill(
        "I am choosing my **first** deck. Candidates:\n\n- Rider-Waite\n- Thoth\n\nI read www.example.org about them."
    )
    page.evaluate("window.__samePage = true")
    page.get_by_role("button", name="Preview").click()
    preview = page.locator(".community-preview")
    expect(preview.locator("li")).to_have_count(2)
    expect(preview.get_by_role("link", name="www.example.org")).to_have_attribute(
        "rel", "nofollow ugc noopener noreferrer"
    )
    assert page.evaluate("window.__samePage") is True  # the preview came in place
    screenshot(page, "preview")
    page.get_by_role("button", name="Post the thread").click()
    expect(page.get_by_role("heading", name="Which deck for a first reading?", level=1)).to_be_visible()
    thread = db.session.query(CommunityThread).one()
    expect(page).to_have_url(re.compile(rf"/community/t/{thread.id}-which-deck-for-a-first-reading$"))
    expect(page.locator(".community-opening li")).to_have_count(2)

    # Luna, a reader, answers the thread, then answers her own answer's reply in place.
    sign_in(second_page, "luna@example.test")
    second_page.goto(page.url)
    page.wait_for_function("document.querySelector('[sse-connect]') && htmx")  # Nova's stream is open
    second_page.get_by_label("Your reply").fill("The Rider-Waite: its pictures tell the story.")
    second_page.get_by_role("button", name="Post the reply").click()
    first = db.session.query(CommunityPost).one()
    expect(second_page).to_have_url(re.compile(rf"#post-{first.id}$"))
    answer = second_page.locator(f"#post-{first.id}")
    expect(answer.get_by_role("link", name="Reader")).to_have_attribute("href", "/readers/luna")
    badge = answer.get_by_role("link", name="Reader")
    # A small badge in its line, tapped anywhere 44 px high (its ::after).
    reach = badge.evaluate("""badge => {
        badge.scrollIntoView({block: "center"});
        const box = badge.getBoundingClientRect(), x = box.left + box.width / 2, y = box.top + box.height / 2;
        return [-21, 21].map(dy => badge.contains(document.elementFromPoint(x, y + dy)));
    }""")
    assert reach == [True, True]

    # Nova's tab, open on the thread all along, hears of it: "1 new reply — show".
    expect(page.get_by_role("link", name="1 new reply — show")).to_be_visible()
    screenshot(page, "new-reply-live")
    page.get_by_role("link", name="1 new reply — show").click()
    expect(page).to_have_url(re.compile(rf"#post-{first.id}$"))
    reply = page.locator(f"#post-{first.id}")
    expect(reply).to_contain_text("its pictures tell the story")
    page.evaluate("window.__samePage = true")
    reply.get_by_role("link", name="Reply").click()
    inline = page.locator(f"#answer-slot-{first.id} form")
    expect(inline.get_by_role("heading", name="Reply to Luna")).to_be_visible()
    assert page.evaluate("window.__samePage") is True
    inline.get_by_label("Your reply").fill("Thank you, Luna! Ordering it today.")
    inline.get_by_role("button", name="Post the reply").click()
    nested = page.locator(".community-post-nested")
    expect(nested).to_contain_text("Ordering it today")
    assert db.session.query(CommunityPost).filter_by(parent_id=first.id).count() == 1
    screenshot(page, "thread-phone")
    box = page.locator(".community-thread").bounding_box()
    assert box["width"] <= 390

    # Nova edits her answer (within 24 hours): it shows "edited".
    nested.get_by_role("link", name="Edit").click()
    page.get_by_role("textbox", name="Your reply").fill("Thank you, Luna! Ordering the Rider-Waite today.")
    page.get_by_role("button", name="Save the changes").click()
    expect(page.locator(".community-post-nested")).to_contain_text("Ordering the Rider-Waite today")
    expect(page.locator(".community-post-nested")).to_contain_text("edited")

    page.set_viewport_size(LAPTOP)
    screenshot(page, "thread-laptop")
    assert page.watched.problems() == []
    assert second_page.watched.problems() == []


def test_a_visitor_reads_and_is_asked_to_sign_in_to_write(page, make_user, db, screenshot):
    from soulseer.extensions import db as database
    from soulseer.services.community import categories, threads

    nova = account(make_user, "client", "nova@example.test", "Nova")
    threads.start(nova, categories.by_slug("general"), "Hello from Nova", "My first words in the community.")
    database.session.commit()
    page.goto("/")
    home = page.locator("section", has=page.get_by_role("heading", name="From the community"))
    expect(home.get_by_role("link", name="Hello from Nova")).to_be_visible()
    screenshot(page, "home")
    home.get_by_role("link", name="Hello from Nova").click()
    expect(page.get_by_role("heading", name="Hello from Nova", level=1)).to_be_visible()
    page.get_by_role("link", name="Sign in to reply").click()
    expect(page).to_have_url(re.compile("/sign-in"))
    page.get_by_label("Email").fill("nova@example.test")
    from tests.e2e.conftest import PASSWORD

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_label("Your reply")).to_be_visible()  # back on the thread, signed in
    page.set_viewport_size(LAPTOP)
    page.goto("/community/general")
    screenshot(page, "category-laptop")
    assert page.watched.problems() == []


def test_a_member_reports_a_reply_and_an_admin_works_it_on_a_laptop(browser, live_server, page, make_user, db,
                                                                    screenshot):  # fmt: skip
    from soulseer.models import ModerationItem
    from soulseer.services.community import categories, replies, threads
    from tests.e2e.conftest import Watched, _new_page, close_context

    nova = account(make_user, "client", "nova@example.test", "Nova")
    orion = account(make_user, "client", "orion@example.test", "Orion")
    account(make_user, "client", "cleo@example.test", "Cleo")
    account(make_user, "admin", "ada@example.test", "Ada")
    thread = threads.start(nova, categories.by_slug("readings"), "My first reading went well",
                           "Luna was kind and clear. Has anyone else read with her?")  # fmt: skip
    db.session.commit()
    reply = replies.create(orion, thread, "Skip the fees: pay me on Venmo and I will read for you.")
    db.session.commit()  # screening flagged it already (payment outside SoulSeer)

    # Cleo, on her phone, reports the reply in place.
    sign_in(page, "cleo@example.test")
    page.goto(f"/community/t/{thread.id}")
    post = page.locator(f"#post-{reply.id}")
    post.get_by_role("link", name="Report").click()
    form = post.locator("form.report-form")
    form.get_by_label("Contact details or payment outside SoulSeer").check()
    form.get_by_label("Tell us what happened").fill("Asks people to pay him on Venmo instead of SoulSeer.")
    form.get_by_role("button", name="Send the report").click()
    expect(post.get_by_role("status")).to_contain_text("Thank you")
    screenshot(page, "reported-phone")

    context, admin = _new_page(browser, live_server, viewport=LAPTOP)
    try:
        admin.watched = Watched(admin)
        sign_in(admin, "ada@example.test")
        admin.goto("/admin/moderation?kind=community_post")
        row = admin.locator(".moderation-list > li").first
        expect(row).to_contain_text("A reply by Orion in “My first reading went well”")
        row.get_by_role("link").click()
        expect(admin.get_by_text("Asks people to pay him on Venmo instead of SoulSeer.")).to_be_visible()
        expect(admin.locator(".screened mark").first).to_have_text("Venmo")
        screenshot(admin, "queue-item-laptop")
        admin.get_by_label("Why hide it").fill("Asks members to pay outside SoulSeer.")
        admin.get_by_role("button", name="Hide it").click()
        expect(admin.get_by_text("Hidden. The author still sees it, marked hidden.")).to_be_visible()
        assert db.session.query(ModerationItem).filter_by(kind="community_post").one().state == "actioned"

        # On the thread: a placeholder for everyone else; the admin pins the thread from its page.
        admin.get_by_role("link", name="Open where it is shown").click()
        expect(admin.locator(f"#post-{reply.id}")).to_contain_text("Removed by a moderator")
        admin.get_by_text("Moderate this thread").click()
        admin.get_by_role("button", name="Pin to the top").click()
        expect(admin.get_by_text("Pinned: it comes first in its category.")).to_be_visible()
        screenshot(admin, "thread-admin-laptop")
        assert admin.watched.problems() == []
    finally:
        close_context(context)

    page.reload()
    expect(page.locator(f"#post-{reply.id}")).to_have_text("This reply was removed by a moderator.")
    expect(page.locator(".tag", has_text="Pinned")).to_be_visible()
    assert page.watched.problems() == []
