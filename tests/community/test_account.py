"""The community and people's accounts: in-app notifications of replies, the posts in "export my
data", and a deleted account's posts kept under an anonymous name."""

import sqlalchemy as sa

from soulseer import clock
from soulseer.extensions import db as database
from soulseer.models import Notification, UserStatus
from soulseer.services import accounts
from soulseer.services.community import replies, threads
from soulseer.services.core import data_export
from tests.community.conftest import category, make_reply, make_thread, thread_url


def notifications_of(user):
    return list(
        database.session.execute(sa.select(Notification).filter_by(user_id=user.id).order_by(Notification.id)).scalars()
    )


def test_a_reply_notifies_the_threads_author_and_the_answered_replys_author_once(member):
    nova, cleo, luna = member(display_name="Nova"), member(display_name="Cleo"), member(display_name="Luna")
    thread = make_thread(nova, title="Full moon rituals")
    first = make_reply(thread, cleo)
    post = replies.create(luna, thread, "I write down what I want to release.", parent_id=first.id)
    database.session.commit()
    [to_nova] = notifications_of(nova)
    [to_cleo] = notifications_of(cleo)
    assert to_nova.kind == "community_reply" and to_nova.text == "Luna replied to your thread “Full moon rituals”"
    assert to_cleo.text == "Luna answered your reply in “Full moon rituals”"
    assert to_nova.link == to_cleo.link == f"/community/replies/{post.id}"
    assert notifications_of(luna) == []


def test_nobody_is_notified_of_their_own_reply_nor_twice_nor_when_inactive(member):
    nova = member(display_name="Nova")
    gone = member(status=UserStatus.SUSPENDED)
    thread = make_thread(nova)
    own = make_reply(thread, nova)
    replies.create(nova, thread, "Adding one more thing myself.")  # on her own thread
    database.session.commit()
    cleo = member()
    replies.create(cleo, thread, "Answering Nova's own reply.", parent_id=own.id)  # thread and reply: Nova once
    database.session.commit()
    assert len(notifications_of(nova)) == 1
    suspended_thread = make_thread(gone, title="By a suspended member")
    replies.create(member(), suspended_thread, "Hello?")
    database.session.commit()
    assert notifications_of(gone) == []


def test_the_notification_link_leads_to_the_reply(app, member, login):
    nova = member()
    thread = make_thread(nova)
    post = replies.create(member(), thread, "A reply worth reading.")
    database.session.commit()
    [notice] = notifications_of(nova)
    response = login(app.test_client(), nova).get(notice.link)
    assert response.status_code == 303 and response.headers["Location"] == f"{thread_url(thread)}#post-{post.id}"


def test_export_my_data_holds_the_posts_as_written(member):
    nova = member()
    thread = threads.start(nova, category("readings"), "My first reading", "It went really well, thank you all.")
    database.session.commit()
    other = make_thread(member(), title="Someone else's")
    kept = make_reply(other, nova, body="Hidden but mine", hidden_at=clock.now(), hidden_reason="Reported")
    gone = make_reply(other, nova, body="", deleted_at=clock.now())
    exported = data_export.export_data(nova)["community"]
    assert exported["threads"] == [
        {
            "id": thread.id,
            "category": "Readings",
            "title": "My first reading",
            "text": "It went really well, thank you all.",
            "written_at": thread.created_at.isoformat(),
            "edited_at": None,
            "state": "published",
        }
    ]
    states = {(reply["id"], reply["text"], reply["state"], reply["thread"]) for reply in exported["replies"]}
    assert states == {
        (kept.id, "Hidden but mine", "removed by moderation", "Someone else's"),
        (gone.id, "", "deleted by you", "Someone else's"),
    }


def test_a_deleted_account_keeps_its_posts_under_an_anonymous_name(client, member):
    nova = member(display_name="Nova Brightwater", password_hash=None)
    thread = make_thread(nova, title="Staying after I leave")
    accounts.delete_account(nova, signed_in_recently=True)
    database.session.commit()
    html = client.get(thread_url(thread)).get_data(as_text=True)
    assert "Nova Brightwater" not in html and "Deleted user" in html
    assert "I light a candle" in html


def test_an_open_thread_asks_for_the_replies_it_has_not_shown(app, member, login):
    from soulseer.services.community import live

    nova, cleo = member(), member()
    thread = make_thread(nova)
    before = make_reply(thread, cleo)
    page = login(app.test_client(), nova).get(thread_url(thread)).get_data(as_text=True)
    ask = f"/community/t/{thread.id}/new-replies?since={before.id}"
    assert f'hx-get="{ask}" hx-trigger="sse:{live.thread_event(thread.id)}"' in page
    first = make_reply(thread, cleo, body="New one")
    make_reply(thread, cleo, body="Hidden one", hidden_at=clock.now(), hidden_reason="Reported")
    make_reply(thread, nova, body="Her own")
    make_reply(thread, cleo, body="Another new one")
    fragment = login(app.test_client(), nova).get(ask, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "2 new replies — show" in fragment and f'href="/community/replies/{first.id}"' in fragment
    nothing = login(app.test_client(), nova).get(f"/community/t/{thread.id}/new-replies?since={10**6}")
    assert nothing.status_code == 200 and "new repl" not in nothing.get_data(as_text=True)
    hidden = make_thread(nova, title="Hidden thread", hidden_at=clock.now(), hidden_reason="Reported")
    assert login(app.test_client(), cleo).get(f"/community/t/{hidden.id}/new-replies?since=0").status_code == 404


def test_a_reply_is_announced_to_open_tabs_after_its_commit(member, redis):
    import json

    from soulseer.services.community import live
    from soulseer.services.core import events

    thread = make_thread(member())
    listener = redis.pubsub()
    listener.subscribe(events.CHANNEL)
    listener.get_message(timeout=1)  # the subscription's confirmation
    replies.create(member(), thread, "Announced after the commit")
    assert listener.get_message(timeout=0.2) is None  # not before the commit
    database.session.commit()
    heard = []
    while (message := listener.get_message(timeout=0.5)) is not None:
        heard.append(json.loads(message["data"])["event"])
    community = [event for event in heard if event.startswith("community")]
    assert community == [live.thread_event(thread.id), live.CATEGORIES_EVENT]  # besides the author's bell
    listener.close()


def test_a_reply_mentioning_a_participant_notifies_them_once(member):
    nova, cleo = member(display_name="Nova"), member(display_name="Cleo Marsh")
    luna, outsider = member(display_name="Luna"), member(display_name="Orion")
    thread = make_thread(nova, title="Moon water")
    make_reply(thread, cleo)
    replies.create(luna, thread, "I agree with @cleo marsh, and @Orion would too. @Nova: thanks!")
    database.session.commit()
    assert [n.text for n in notifications_of(cleo)] == ["Luna mentioned you in “Moon water”"]
    assert [n.text for n in notifications_of(nova)] == ["Luna replied to your thread “Moon water”"]  # once
    assert notifications_of(outsider) == []  # not taking part in the thread
    replies.create(member(), thread, "Writing to @Cleo Marshall, someone else")
    database.session.commit()
    assert len(notifications_of(cleo)) == 1  # "@Cleo Marshall" is not "@Cleo Marsh"


def test_the_categories_page_hears_of_every_change_to_its_counts(member, redis):
    """A new thread, a thread deleted before anyone answered, one hidden or moved: each changes a
    category's count, so open categories pages are told after the commit (a reply: above)."""
    import json

    from soulseer.services.community import live, stewardship
    from soulseer.services.core import events
    from soulseer.services.moderation import visibility

    listener = redis.pubsub()
    listener.subscribe(events.CHANNEL)
    listener.get_message(timeout=1)  # the subscription's confirmation

    def heard():
        names = []
        while (message := listener.get_message(timeout=0.5)) is not None:
            names.append(json.loads(message["data"])["event"])
        return [name for name in names if name == live.CATEGORIES_EVENT]

    nova, ada = member(), member(role="admin")
    thread = threads.start(nova, category(), "A brand new thread", "Counted on the categories page.")
    assert listener.get_message(timeout=0.2) is None  # not before the commit
    database.session.commit()
    assert heard() == [live.CATEGORIES_EVENT]
    stewardship.move(ada, thread.id, category("readings").id)
    database.session.commit()
    assert heard() == [live.CATEGORIES_EVENT]
    visibility.hide("community_thread", thread.id, "Hidden by an admin.", ada)
    database.session.commit()
    assert heard() == [live.CATEGORIES_EVENT]
    other = make_thread(nova, title="Nobody will answer")
    threads.delete(nova, other)
    database.session.commit()
    assert heard() == [live.CATEGORIES_EVENT]
    listener.close()
