"""The reader and admins mute or ban a viewer for one stream (L-10): a muted viewer watches and her
chat lines are refused with a message that says why; a banned one loses her token, her heartbeats
and her gifts, and her open page is told at once; every change is audit-logged; outsiders cannot."""

import uuid

import pytest
import sqlalchemy as sa

from soulseer.extensions import db as database
from soulseer.models import AuditEntry, StreamGift, StreamMessage, StreamRestriction
from soulseer.services.streams import restrictions, viewers
from tests.conftest import csrf_token_from
from tests.streams.conftest import fund, live_stream
from tests.streams.test_gifts import gift_named

pytestmark = pytest.mark.usefixtures("agora_configured")


def count(model):
    return database.session.scalar(sa.select(sa.func.count()).select_from(model))


def audit_trail():
    rows = database.session.execute(sa.select(AuditEntry).order_by(AuditEntry.id)).scalars()
    return [(row.action, row.actor_id, row.target_id, (row.after or {}).get("viewer_id")) for row in rows]


def test_the_reader_mutes_then_lets_a_viewer_speak_again(luna, nova, signed_in):
    stream = live_stream(luna)
    host, host_token = signed_in(luna)
    viewer, token = signed_in(nova)
    assert viewer.post(f"/live/{stream.id}/messages", data={"csrf_token": token, "body": "Hello"}).status_code == 302
    controls = host.get(f"/live/{stream.id}").get_data(as_text=True)
    assert "Mute Nova" in controls and "Ban Nova" in controls and "Nobody is muted or banned." in controls
    assert "Mute Nova" not in viewer.get(f"/live/{stream.id}").get_data(as_text=True)

    muted = host.post(f"/live/{stream.id}/viewers/{nova.id}", data={"csrf_token": host_token, "action": "mute"},
                      headers={"HX-Request": "true"})  # fmt: skip
    assert muted.status_code == 200 and "Muted: watches, cannot chat" in muted.get_data(as_text=True)
    refused = viewer.post(f"/live/{stream.id}/messages", data={"csrf_token": token, "body": "Still here?"})
    assert refused.status_code == 403 and restrictions.MUTED_MESSAGE in refused.get_data(as_text=True)
    assert count(StreamMessage) == 1
    page = viewer.get(f"/live/{stream.id}").get_data(as_text=True)
    assert restrictions.MUTED_MESSAGE in page and 'data-state="live"' in page  # she still watches
    assert viewer.get(f"/live/{stream.id}/token").get_json()["role"] == "audience"

    lifted = host.post(f"/live/{stream.id}/viewers/{nova.id}", data={"csrf_token": host_token, "action": "lift"})
    assert lifted.status_code == 302 and count(StreamRestriction) == 0
    assert viewer.post(f"/live/{stream.id}/messages", data={"csrf_token": token, "body": "Back"}).status_code == 302
    assert count(StreamMessage) == 2
    assert audit_trail() == [
        ("stream.viewer_muted", luna.id, stream.id, nova.id),
        ("stream.viewer_restored", luna.id, stream.id, nova.id),
    ]


def test_a_banned_viewer_is_out_and_her_page_is_told(luna, nova, orla, make_user, signed_in, login, app, tabs):
    stream = live_stream(luna)
    fund(nova, 1000)
    admin = make_user(role="admin", consented=True)
    admin_browser = login(app.test_client(), admin)
    admin_token = csrf_token_from(admin_browser.get(f"/live/{stream.id}").get_data(as_text=True))
    viewer, token = signed_in(nova)
    assert viewer.get(f"/live/{stream.id}/token").status_code == 200
    viewer.post(f"/live/{stream.id}/heartbeat", data={"csrf_token": token})
    viewer.post(f"/live/{stream.id}/messages", data={"csrf_token": token, "body": "Hi all"})
    assert viewers.count(stream.id) == 1
    assert "Ban Nova" in admin_browser.get(f"/live/{stream.id}").get_data(as_text=True)  # admins moderate too

    seen_before = len(tabs())
    banned = admin_browser.post(f"/live/{stream.id}/viewers/{nova.id}", data={"csrf_token": admin_token,
                                                                               "action": "ban"})  # fmt: skip
    assert banned.status_code == 302
    pushed = [(to, html.strip()) for to, event, html in tabs()[seen_before:] if event == f"stream-{stream.id}-state"]
    assert pushed == [(nova.id, '<span data-stream-state="banned"></span>')]  # to her alone: her page reloads
    assert viewers.count(stream.id) == 0  # out of the count at once
    refused = viewer.get(f"/live/{stream.id}/token")
    assert refused.status_code == 403 and refused.get_json()["error"] == restrictions.BANNED_MESSAGE
    page = viewer.get(f"/live/{stream.id}").get_data(as_text=True)
    assert restrictions.BANNED_MESSAGE in page and 'data-state="banned"' in page
    assert "gift-tray" not in page and "stream-chat-form" not in page and "data-token-url" not in page
    beat = viewer.post(f"/live/{stream.id}/heartbeat", data={"csrf_token": token})
    assert beat.headers["X-Stream-State"] == "banned" and viewers.count(stream.id) == 0
    said = viewer.post(f"/live/{stream.id}/messages", data={"csrf_token": token, "body": "Why?"})
    assert said.status_code == 403 and restrictions.BANNED_MESSAGE in said.get_data(as_text=True)
    pick = f"{gift_named('Rose').id}:{uuid.uuid4()}"
    gift = viewer.post(f"/live/{stream.id}/gifts", data={"csrf_token": token, "pick": pick})
    assert gift.status_code == 403 and count(StreamGift) == 0
    other, _ = signed_in(orla)
    assert other.get(f"/live/{stream.id}/token").status_code == 200  # only she is out
    assert audit_trail() == [("stream.viewer_banned", admin.id, stream.id, nova.id)]


def test_who_may_and_what_is_refused(luna, nova, orla, make_user, signed_in):
    stream = live_stream(luna)
    admin = make_user(role="admin", consented=True)
    viewer, token = signed_in(nova)
    host, host_token = signed_in(luna)
    # A viewer cannot mute anyone (the route is not hers: 404); nothing written.
    assert viewer.post(f"/live/{stream.id}/viewers/{orla.id}", data={"csrf_token": token,
                                                                     "action": "mute"}).status_code == 404  # fmt: skip

    def ask(user_id, action):
        return host.post(f"/live/{stream.id}/viewers/{user_id}", data={"csrf_token": host_token, "action": action})

    assert ask(luna.id, "ban").status_code == 403 and ask(admin.id, "mute").status_code == 403
    assert ask(99999, "ban").status_code == 404
    wrong = ask(orla.id, "silence")
    assert wrong.status_code == 422 and "Choose mute, ban or lift." in wrong.get_data(as_text=True)
    assert count(StreamRestriction) == 0 and audit_trail() == []
    # Banning a muted viewer changes the row; doing it again changes and logs nothing.
    assert ask(orla.id, "mute").status_code == 302 and ask(orla.id, "ban").status_code == 302
    assert ask(orla.id, "ban").status_code == 302
    rows = database.session.execute(sa.select(StreamRestriction.user_id, StreamRestriction.kind)).all()
    assert rows == [(orla.id, "banned")]
    assert [action for action, *_ in audit_trail()] == ["stream.viewer_muted", "stream.viewer_banned"]
    from soulseer.services.streams import lifecycle

    lifecycle.end(luna, stream.id)
    database.session.commit()
    over = ask(nova.id, "mute")
    assert over.status_code == 409 and "This stream is over." in over.get_data(as_text=True)


def test_export_my_data_has_her_streams(luna, nova, signed_in):
    """Her own part of streams only: what she hosted, or sent, wrote, bought, asked and was given."""
    from tests.streams.test_gifts import send

    stream = live_stream(luna)
    fund(nova, 1000)
    send(stream, nova, "Rose", anonymous=True)
    viewer, token = signed_in(nova)
    viewer.post(f"/live/{stream.id}/messages", data={"csrf_token": token, "body": "Hello from Nova"})
    restrictions.apply(luna, stream, nova.id, "mute")
    database.session.commit()
    mine = viewer.get("/account/export").get_json()["streams"]
    assert mine["hosted"] == [] and mine["tickets"] == [] and mine["invitations"] == []
    assert [(g["stream"], g["gift"], g["price_cents"], g["anonymous"]) for g in mine["gifts_sent"]] == [
        ("Tarot by candlelight", "Rose", 100, True)
    ]
    assert [(m["stream"], m["body"], m["hidden"]) for m in mine["chat_lines"]] == [
        ("Tarot by candlelight", "Hello from Nova", False)
    ]
    assert [(r["stream"], r["restriction"]) for r in mine["muted_or_banned"]] == [("Tarot by candlelight", "muted")]
    host, _ = signed_in(luna)
    hers = host.get("/account/export").get_json()["streams"]
    assert [(s["title"], s["kind"], s["state"]) for s in hers["hosted"]] == [("Tarot by candlelight", "public", "live")]
    assert hers["gifts_sent"] == [] and hers["chat_lines"] == []
