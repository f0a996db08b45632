"""Admin → Community: categories' names, descriptions and order; a thread's pin, lock and move
from its page. Everything audit-logged; non-admins get 403 (tests/admin/test_guard.py covers
every admin page too)."""

import re

import pytest

from soulseer.extensions import db as database
from soulseer.models import AuditEntry, CommunityCategory
from tests.community.conftest import category, make_reply, make_thread, send, thread_url


@pytest.fixture
def categories_restored(db):
    """The categories are reference data kept between tests: put them back as they were."""
    saved = [(c.id, c.name, c.description, c.position) for c in db.session.query(CommunityCategory)]
    yield
    db.session.rollback()
    for category_id, name, description, position in saved:
        row = db.session.get(CommunityCategory, category_id)
        row.name, row.description, row.position = name, description, position
    db.session.commit()


def test_an_admin_renames_describes_and_reorders_a_category(member, writer, client, categories_restored):
    ada = member(role="admin")
    browser = writer(ada)
    page = browser.get("/admin/community").get_data(as_text=True)
    assert "/community/announcements" in page and 'aria-current="page"' in page
    general = category("general")
    prefix = f"c{general.id}"
    edit = {f"{prefix}-name": "Open Circle", f"{prefix}-description": "Anything at all.", f"{prefix}-position": "9"}
    response = send(browser, f"/admin/community/categories/{general.id}", **edit)
    assert response.status_code == 303
    database.session.refresh(general)
    assert (general.name, general.description, general.position, general.slug) == (
        "Open Circle", "Anything at all.", 9, "general")  # fmt: skip
    entry = database.session.query(AuditEntry).filter_by(action="community_category.updated").one()
    assert entry.actor_id == ada.id and entry.before["name"] == "General" and entry.after["position"] == 9
    listing = client.get("/community").get_data(as_text=True)
    names = re.findall(r'<h2 class="community-row-title"><a href="/community/[a-z-]+">([^<]+)</a>', listing)
    assert names[-1] == "Open Circle" and "Anything at all." in listing


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("name", "G", "name of 2 to 60"), ("description", "x" * 301, "300 characters"), ("position", "0", "1 to 99")],
)
def test_a_bad_category_edit_is_refused_on_its_field(member, writer, field, value, message, categories_restored):
    general = category("general")
    prefix = f"c{general.id}"
    data = {f"{prefix}-name": "General", f"{prefix}-description": "", f"{prefix}-position": "1"}
    data[f"{prefix}-{field}"] = value
    response = send(writer(member(role="admin")), f"/admin/community/categories/{general.id}", **data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    database.session.refresh(general)
    assert general.name == "General" and database.session.query(AuditEntry).count() == 0


def test_an_admin_pins_locks_unlocks_and_moves_a_thread(member, writer, client):
    ada, nova = member(role="admin"), member()
    older = make_thread(nova, title="An older thread here")
    thread = make_thread(nova, title="Please read the rules")
    make_thread(nova, title="The newest thread")
    admin = writer(ada)
    assert "Moderate this thread" in admin.get(thread_url(older)).get_data(as_text=True)
    assert "Moderate this thread" not in writer(nova).get(thread_url(older)).get_data(as_text=True)

    assert send(admin, f"/admin/community/threads/{older.id}/pin").status_code == 303
    titles = re.findall(
        r'community-row-title"><a href="[^"]+">([^<]+)<', client.get("/community/general").get_data(as_text=True)
    )
    assert titles[0] == "An older thread here"

    response = send(admin, f"/admin/community/threads/{thread.id}/lock", reason="no")
    assert response.status_code == 303  # refused: flashed on the thread's page
    assert "Say why in 5 to 300 characters" in admin.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        send(admin, f"/admin/community/threads/{thread.id}/lock", reason="Answered; see the Help page.").status_code
        == 303
    )
    database.session.refresh(thread)
    assert thread.locked_reason == "Answered; see the Help page."
    assert "This thread is locked: Answered; see the Help page." in client.get(thread_url(thread)).get_data(
        as_text=True
    )
    assert send(writer(nova), f"/community/t/{thread.id}/replies", body="But wait").status_code == 409
    assert send(admin, f"/admin/community/threads/{thread.id}/unlock").status_code == 303

    readings = category("readings")
    assert send(admin, f"/admin/community/threads/{thread.id}/move", category=str(readings.id)).status_code == 303
    database.session.refresh(thread)
    assert thread.category_id == readings.id
    actions = [e.action for e in database.session.query(AuditEntry).order_by(AuditEntry.id)]
    assert actions == ["community_thread.pinned", "community_thread.locked", "community_thread.unlocked",
                       "community_thread.moved"]  # fmt: skip
    assert send(writer(nova), f"/admin/community/threads/{thread.id}/pin").status_code == 403
    assert send(admin, "/admin/community/threads/999999/pin").status_code == 404


def test_an_admin_removes_a_reply_or_a_thread_from_its_page_reported_or_not(member, writer, client):
    from soulseer.models import ModerationItem
    from soulseer.services.moderation import flags

    ada, nova, cleo = member(role="admin"), member(), member()
    thread = make_thread(nova, title="Cheap readings elsewhere")
    quiet = make_reply(thread, cleo, body="Nobody reported this rude reply")
    reported = make_reply(thread, cleo, body="A reported rude reply")
    flags.flag(member(), "community_post", reported.id, "inappropriate", "Rude to another member.")
    database.session.commit()
    admin = writer(ada)
    page = admin.get(thread_url(thread)).get_data(as_text=True)
    assert f'action="/admin/community/replies/{quiet.id}/remove"' in page
    assert f'action="/admin/community/threads/{thread.id}/remove"' in page
    assert "/remove" not in writer(nova).get(thread_url(thread)).get_data(as_text=True)
    assert send(writer(nova), f"/admin/community/replies/{quiet.id}/remove", reason="Not an admin").status_code == 403

    response = send(admin, f"/admin/community/replies/{quiet.id}/remove", reason="no")
    assert response.status_code == 303  # refused: said on the thread's page
    assert "Give a reason of 5 to 500 characters." in admin.get(response.headers["Location"]).get_data(as_text=True)
    response = send(admin, f"/admin/community/replies/{quiet.id}/remove", reason="Insults another member.")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"#post-{quiet.id}")
    assert send(admin, f"/admin/community/replies/{reported.id}/remove", reason="Insults too.").status_code == 303
    html = client.get(thread_url(thread)).get_data(as_text=True)
    assert "rude reply" not in html and html.count("This reply was removed by a moderator.") == 2
    assert database.session.query(ModerationItem).one().state == "actioned"  # its reports are decided

    assert (
        send(admin, f"/admin/community/threads/{thread.id}/remove", reason="Sends people off SoulSeer.").status_code
        == 303
    )
    assert client.get(thread_url(thread)).status_code == 404
    assert "Cheap readings elsewhere" not in client.get("/community/general").get_data(as_text=True)
    hidden = [
        e.action
        for e in database.session.query(AuditEntry).filter(AuditEntry.action.like("%.hidden")).order_by(AuditEntry.id)
    ]
    assert hidden == ["community_post.hidden", "community_post.hidden", "community_thread.hidden"]
    assert send(admin, f"/admin/community/threads/{thread.id}/remove", reason="Again, twice.").status_code == 303
    assert send(admin, "/admin/community/replies/999999/remove", reason="Nothing there.").status_code == 404

    # Nothing reported the first reply, so no queue item holds it: it is shown again from the page.
    page = admin.get(thread_url(thread)).get_data(as_text=True)
    assert f'action="/admin/community/replies/{quiet.id}/restore"' in page
    assert f'action="/admin/community/threads/{thread.id}/restore"' in page
    assert send(admin, f"/admin/community/threads/{thread.id}/restore", reason="Looked again.").status_code == 303
    assert send(admin, f"/admin/community/replies/{quiet.id}/restore", reason="Looked again.").status_code == 303
    assert "Nobody reported this rude reply" in client.get(thread_url(thread)).get_data(as_text=True)
    shown = [
        e.action
        for e in database.session.query(AuditEntry).filter(AuditEntry.action.like("%.shown")).order_by(AuditEntry.id)
    ]
    assert shown == ["community_thread.shown", "community_post.shown"]
