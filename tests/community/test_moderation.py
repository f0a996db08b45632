"""The community in the one moderation mechanism: reports on threads and replies, auto-hide at
three trusted reporters (accounts >= 7 days old), a thread closed at five, what a hidden post shows
(pages, the report form), and the queue's decisions on community content."""

from datetime import timedelta

import pytest

from soulseer import clock
from soulseer.extensions import db as database
from soulseer.models import AuditEntry, ModerationItem
from soulseer.services.community import stewardship
from soulseer.services.moderation import flags, queue
from soulseer.services.moderation.items import ModerationError
from tests.community.conftest import make_reply, make_thread, send, thread_url

NOTE = "Asks people to pay outside SoulSeer."


@pytest.fixture
def young(make_user):
    """Accounts two days old: they may report, but do not count toward auto-hide."""
    return lambda: make_user(consented=True, created_at=clock.now() - timedelta(days=2))


def test_the_report_link_is_on_threads_and_replies_for_everyone_but_the_author(app, client, member, login):
    nova = member()
    thread = make_thread(nova)
    reply = make_reply(thread, member())
    others = login(app.test_client(), member()).get(thread_url(thread)).get_data(as_text=True)
    assert f"/report/community_thread/{thread.id}?next=" in others
    assert f"/report/community_post/{reply.id}?next=" in others
    own = login(app.test_client(), nova).get(thread_url(thread)).get_data(as_text=True)
    assert f"/report/community_thread/{thread.id}" not in own and f"/report/community_post/{reply.id}" in own
    visitors = client.get(thread_url(thread)).get_data(as_text=True)
    assert (
        f'href="/report/community_post/{reply.id}?next=' in visitors
        and "hx-get" not in visitors.split(f"/report/community_post/{reply.id}")[0][-200:]
    )


def test_reporting_a_reply_from_the_page_reaches_the_queue(member, writer):
    thread = make_thread(member())
    reply = make_reply(thread, member(), body="Venmo me for a private reading")
    browser = writer(member())
    response = send(browser, f"/report/community_post/{reply.id}?next={thread_url(thread)}",
                    reason="off_platform", note=NOTE)  # fmt: skip
    assert response.status_code == 303 and response.headers["Location"] == thread_url(thread)
    [entry] = queue.listing(kind="community_post").entries
    assert entry.item.target_id == reply.id and entry.target.body == "Venmo me for a private reading"
    page = writer(member(role="admin")).get(f"/admin/moderation/{entry.item.id}").get_data(as_text=True)
    assert "Venmo me for a private reading" in page and thread.title in page
    assert f"{thread_url(thread)}#post-{reply.id}" in page  # where it is shown


def test_three_trusted_reporters_hide_a_reply_and_young_accounts_do_not_count(app, client, member, young, login):
    thread = make_thread(member())
    author = member(display_name="Orion")
    reply = make_reply(thread, author, body="Pay me on Cash App")
    for _ in range(3):
        flags.flag(young(), "community_post", reply.id, "off_platform", NOTE)
    database.session.commit()
    database.session.refresh(reply)
    assert reply.visible
    for _ in range(2):
        flags.flag(member(), "community_post", reply.id, "off_platform", NOTE)
        database.session.commit()
    database.session.refresh(reply)
    assert reply.visible  # two trusted reporters
    flags.flag(member(), "community_post", reply.id, "off_platform", NOTE)
    database.session.commit()
    database.session.refresh(reply)
    assert reply.hidden_automatically
    html = client.get(thread_url(thread)).get_data(as_text=True)
    assert "Cash App" not in html and "This reply is hidden while a moderator looks at it." in html
    own = login(app.test_client(), author).get(thread_url(thread)).get_data(as_text=True)
    assert "Pay me on Cash App" in own and "several people reported it" in own
    with pytest.raises(ModerationError) as refused:  # nobody else can see it to report it again
        flags.flag(member(), "community_post", reply.id, "spam", NOTE)
    assert refused.value.status == 404


def test_three_trusted_reporters_hide_a_thread_from_every_list(client, member):
    thread = make_thread(member(), title="Cheap readings off site")
    for _ in range(3):
        flags.flag(member(), "community_thread", thread.id, "spam", NOTE)
        database.session.commit()
    database.session.refresh(thread)
    assert thread.hidden_automatically
    assert client.get(thread_url(thread)).status_code == 404
    for url in ("/community/general", "/", "/community"):
        assert "Cheap readings off site" not in client.get(url).get_data(as_text=True)
    assert "0 threads" in client.get("/community").get_data(as_text=True).split("/community/general")[1][:800]


def test_a_thread_closes_when_five_trusted_people_reported_it_or_its_replies(member, writer):
    thread = make_thread(member())
    replies = [make_reply(thread, member(), body=f"Questionable reply {n}") for n in range(5)]
    for reply in replies[:4]:
        flags.flag(member(), "community_post", reply.id, "inappropriate", NOTE)
        database.session.commit()
    flags.flag(member(), "community_post", replies[0].id, "inappropriate", NOTE)  # a fifth person
    database.session.commit()
    database.session.refresh(thread)
    assert thread.locked and thread.locked_reason == stewardship.CLOSED_BY_REPORTS
    entry = database.session.query(AuditEntry).filter_by(action="community_thread.locked").one()
    assert entry.actor_id is None and entry.target_id == thread.id
    response = send(writer(member()), f"/community/t/{thread.id}/replies", body="Can I still reply?")
    assert response.status_code == 409 and "Closed after reports" in response.get_data(as_text=True)


def test_four_reporters_do_not_close_a_thread_and_young_ones_do_not_count(member, young):
    thread = make_thread(member())
    replies = [make_reply(thread, member(), body=f"Questionable reply {n}") for n in range(2)]
    for target in ("thread", "thread", "reply 0", "reply 1"):  # two on each: none is hidden
        kind, target_id = ("community_thread", thread.id) if target == "thread" else (
            "community_post", replies[int(target[-1])].id)  # fmt: skip
        flags.flag(member(), kind, target_id, "inappropriate", NOTE)
        database.session.commit()
    flags.flag(young(), "community_post", replies[0].id, "inappropriate", NOTE)
    database.session.commit()
    database.session.refresh(thread)
    assert stewardship.trusted_reporters(thread.id) == 4 and not thread.locked


def test_an_admin_hides_a_reply_from_the_queue_and_a_placeholder_stays(client, member):
    ada = member(role="admin")
    thread = make_thread(member())
    reply = make_reply(thread, member(), body="Rude words here")
    flags.flag(member(), "community_post", reply.id, "inappropriate", NOTE)
    database.session.commit()
    item = database.session.query(ModerationItem).one()
    queue.hide(ada, item.id, "Insults another member.")
    database.session.commit()
    html = client.get(thread_url(thread)).get_data(as_text=True)
    assert "Rude words here" not in html and "This reply was removed by a moderator." in html
    assert database.session.query(AuditEntry).filter_by(action="community_post.hidden").count() == 1
    queue.restore(ada, item.id, "Looked again: it is fine.")
    database.session.commit()
    assert "Rude words here" in client.get(thread_url(thread)).get_data(as_text=True)


def test_an_author_edit_of_a_hidden_reply_keeps_it_hidden_and_reopens_its_item(member):
    from soulseer.services.community import replies

    ada = member(role="admin")
    author = member()
    thread = make_thread(member())
    reply = make_reply(thread, author, body="Something reported")
    flags.flag(member(), "community_post", reply.id, "inappropriate", NOTE)
    database.session.commit()
    item = database.session.query(ModerationItem).one()
    queue.hide(ada, item.id, "Not kind.")
    database.session.commit()
    replies.edit(author, replies.get(reply.id), "Something kinder, I hope")
    database.session.commit()
    database.session.refresh(item)
    database.session.refresh(reply)
    assert reply.hidden and item.state == "open" and item.decision == "edited_while_hidden"


def test_a_reporter_counts_toward_auto_hide_from_exactly_seven_days_old(member, make_user):
    """F-8's "accounts at least 7 days old", at the second, by the clock."""
    now = clock.now()
    with clock.frozen(now):
        reply = make_reply(make_thread(member()), member(), body="Pay me on Cash App")
        almost = make_user(consented=True, created_at=now - timedelta(days=7) + timedelta(seconds=1))
        for _ in range(2):
            flags.flag(make_user(consented=True, created_at=now - timedelta(days=7)), "community_post", reply.id,
                       "off_platform", NOTE)  # fmt: skip
            database.session.commit()
        flags.flag(almost, "community_post", reply.id, "off_platform", NOTE)
        database.session.commit()
        database.session.refresh(reply)
        assert reply.visible  # two of seven days, one a second short
        flags.flag(make_user(consented=True, created_at=now - timedelta(days=7)), "community_post", reply.id,
                   "off_platform", NOTE)  # fmt: skip
        database.session.commit()
        database.session.refresh(reply)
        assert reply.hidden_automatically


def test_an_admin_suspends_a_replys_author_from_the_queue_and_their_posts_stay_marked(client, member):
    from soulseer.models import User

    ada = member(role="admin")
    orion = member(display_name="Orion")
    thread = make_thread(orion, title="Readings cheaper elsewhere")
    reply = make_reply(thread, orion, body="Venmo me and skip the fees")
    flags.flag(member(), "community_post", reply.id, "off_platform", NOTE)
    database.session.commit()
    item = database.session.query(ModerationItem).one()
    queue.suspend_author(ada, item.id, "Sends members to pay him outside SoulSeer.")
    database.session.commit()
    assert database.session.get(User, orion.id).status == "suspended"
    entry = database.session.query(AuditEntry).filter_by(action="user.suspended").one()
    assert (entry.actor_id, entry.target_id) == (ada.id, orion.id)
    html = client.get(thread_url(thread)).get_data(as_text=True)
    assert html.count('Orion <span class="tag tag-warn">Suspended</span>') == 2  # the thread and the reply
    assert "Venmo me and skip the fees" in html  # the posts stay (the reply is hidden only if an admin hides it)


def test_the_reply_form_under_a_hidden_reply_is_404_for_others(app, member, login):
    thread = make_thread(member())
    author = member()
    hidden = make_reply(thread, author, hidden_at=clock.now(), hidden_reason="Reported")
    url = f"/community/t/{thread.id}/reply-form?to={hidden.id}"
    assert login(app.test_client(), member()).get(url, headers={"HX-Request": "true"}).status_code == 404
    assert login(app.test_client(), author).get(url, headers={"HX-Request": "true"}).status_code == 200
