"""Agora tokens for streams (L-2), decoded and checked: the host gets a publisher token only from 10
minutes before the start until the end; a viewer gets a subscriber token only while live; nobody
gets one for an ended or cancelled stream; uid is the person's own id, the channel the stream's,
the expiry 20 minutes from now, and the signature is the HMAC of Agora's certificate."""

import base64
import hashlib
import hmac
from datetime import timedelta
from zlib import crc32

import pytest
from agora_token_builder.AccessToken import (
    VERSION_LENGTH,
    kJoinChannel,
    kPublishAudioStream,
    kPublishDataStream,
    kPublishVideoStream,
    unPackContent,
    unPackMessages,
)

from soulseer import clock
from soulseer.extensions import db as database
from soulseer.models import UserStatus
from soulseer.services.readings.agora import RtcCredentials
from soulseer.services.streams import access, lifecycle
from tests.streams.conftest import APP_ID, CERTIFICATE, START, live_stream

pytestmark = pytest.mark.usefixtures("agora_configured", "frozen")
PUBLISHER = {kJoinChannel, kPublishAudioStream, kPublishVideoStream, kPublishDataStream}
SUBSCRIBER = {kJoinChannel}


def decoded(credentials):
    token = credentials.token
    assert token[:VERSION_LENGTH] == "006" and token[VERSION_LENGTH : VERSION_LENGTH + 32] == APP_ID
    signature, crc_channel, crc_uid, message = unPackContent(base64.b64decode(token[VERSION_LENGTH + 32 :]))
    _, _, privileges = unPackMessages(message)
    assert crc_channel == crc32(credentials.channel.encode()) & 0xFFFFFFFF
    assert crc_uid == crc32(str(credentials.uid).encode()) & 0xFFFFFFFF
    signed = (APP_ID + credentials.channel + str(credentials.uid)).encode() + message
    assert signature == hmac.new(CERTIFICATE.encode(), signed, hashlib.sha256).digest()
    assert set(privileges.values()) == {int(clock.now().timestamp()) + 20 * 60}  # 20 minutes from now
    return set(privileges)


def role(stream, user):
    """ "host", "audience", or the status of the refusal."""
    try:
        return "host" if decoded(access.token(stream, user)) == PUBLISHER else "audience"
    except access.TokenRefused as refusal:
        return refusal.status


def test_the_host_publishes_and_a_viewer_only_joins(luna, nova):
    stream = live_stream(luna)
    assert stream.channel.startswith(f"ss-stream-{stream.id}-") and len(stream.channel.encode()) < 64
    host = access.token(stream, luna)
    viewer = access.token(stream, nova)
    assert (host.channel, host.uid) == (stream.channel, luna.id)
    assert (viewer.channel, viewer.uid) == (stream.channel, nova.id)
    assert decoded(host) == PUBLISHER
    assert decoded(viewer) == SUBSCRIBER
    assert host.expires_at == viewer.expires_at == START + timedelta(minutes=20)


def test_the_whole_matrix_of_state_and_role(luna, nova, make_user):
    """kind public × host / viewer / suspended × scheduled (early, in the window, no time) / live /
    ended / cancelled: who gets which role, and who gets nothing."""
    suspended = make_user(role="client", consented=True, status=UserStatus.SUSPENDED)
    later = lifecycle.create(luna, "Later tonight", START + timedelta(hours=1))
    now = lifecycle.create(luna, "Right now")
    database.session.commit()

    # Scheduled in an hour: the host waits for the 10-minute window, viewers for the start.
    assert (role(later, luna), role(later, nova), role(later, suspended)) == (403, 409, 403)
    with clock.frozen(START + timedelta(minutes=50)):
        assert role(later, luna) == "host"
    # "Go live now" (no time): the host's studio opens at once; viewers wait for Go live.
    assert (role(now, luna), role(now, nova)) == ("host", 409)
    lifecycle.go_live(luna, now.id)
    database.session.commit()
    assert (role(now, luna), role(now, nova), role(now, suspended)) == ("host", "audience", 403)
    lifecycle.end(luna, now.id)
    lifecycle.end(luna, later.id)
    database.session.commit()
    assert now.state == "ended" and later.state == "cancelled"
    for stream in (now, later):
        assert (role(stream, luna), role(stream, nova)) == (403, 403)


def test_a_banned_viewer_gets_no_token_in_any_kind_or_state(luna, nova, orla, make_user):
    """kind public / premium (with a ticket) × scheduled / live / renewal after the ban / lifted /
    ended: a banned viewer gets nothing (403), whatever she holds; the others keep their role."""
    from soulseer.services.streams import restrictions, tickets
    from tests.streams.conftest import fund

    admin = make_user(role="admin", consented=True)
    fund(nova, 5000)
    public = lifecycle.create(luna, "Open circle")
    premium = lifecycle.create(luna, "Inner circle", None, "premium", 500)
    database.session.commit()
    tickets.buy(premium, nova)
    database.session.commit()

    for stream in (public, premium):
        restrictions.apply(luna, stream, nova.id, "ban")
        database.session.commit()
        assert (role(stream, luna), role(stream, nova)) == ("host", 403)  # scheduled: not "wait" (409)
        lifecycle.go_live(luna, stream.id)
        database.session.commit()
        restrictions.apply(admin, stream, nova.id, "lift")
        database.session.commit()
        assert (role(stream, nova), role(stream, orla if stream is public else admin)) == ("audience", "audience")
        restrictions.apply(admin, stream, nova.id, "ban")  # while she watches: the renewal is refused
        database.session.commit()
        with pytest.raises(access.TokenRefused, match="You were removed from this stream"):
            access.token(stream, nova)
        assert (role(stream, luna), role(stream, nova), role(stream, admin)) == ("host", 403, "audience")
        restrictions.apply(luna, stream, nova.id, "mute")  # muted, she watches again (and cannot chat)
        database.session.commit()
        assert role(stream, nova) == "audience"
        restrictions.apply(luna, stream, nova.id, "ban")
        lifecycle.end(luna, stream.id)
        database.session.commit()
        assert (role(stream, luna), role(stream, nova)) == (403, 403)


def test_a_private_stream_gives_tokens_to_its_invitees_only(luna, nova, orla, make_user):
    """kind private × host / invitee / banned invitee / outsider / admin × scheduled / live / ended:
    outsiders are told the stream does not exist (404), an invitee is a subscriber while live."""
    from soulseer.services.streams import invitations, restrictions
    from tests.streams.test_private import favourite_of

    admin = make_user(role="admin", consented=True)
    ivy = make_user(role="client", consented=True, display_name="Ivy")
    for client in (nova, orla, ivy):
        favourite_of(luna, client)
    stream = lifecycle.create(luna, "Circle", None, "private")
    database.session.commit()
    invitations.invite(luna, stream.id, nova.id)
    invitations.invite(luna, stream.id, orla.id)
    restrictions.apply(luna, stream, orla.id, "ban")
    database.session.commit()
    people = (luna, nova, orla, ivy, admin)
    assert [role(stream, person) for person in people] == ["host", 409, 403, 404, 409]
    lifecycle.go_live(luna, stream.id)
    database.session.commit()
    assert [role(stream, person) for person in people] == ["host", "audience", 403, 404, "audience"]
    assert access.audience_level(stream) == 2
    lifecycle.end(luna, stream.id)
    database.session.commit()
    assert [role(stream, person) for person in people] == [403, 403, 403, 404, 403]


def test_a_premium_stream_gives_tokens_to_ticket_holders_only(luna, nova, orla, make_user):
    """kind premium × host / ticket holder / no ticket / admin / suspended holder × scheduled /
    live with the ticket held / live with it settled / ended; and a cancelled stream whose ticket was
    released: the holder is a subscriber only while live, whatever her ticket's state; without a
    ticket, or suspended, nothing (403); nobody gets one once it is over."""
    from soulseer.services import streams as streams_service
    from soulseer.services.streams import tickets
    from tests.streams.conftest import fund

    admin = make_user(role="admin", consented=True)
    suspended = make_user(role="client", consented=True)
    for person in (nova, suspended):
        fund(person, 5000)
    stream = lifecycle.create(luna, "Inner circle", None, "premium", 500)
    later = lifecycle.create(luna, "Next week", START + timedelta(days=7), "premium", 500)
    database.session.commit()
    for person in (nova, suspended):
        tickets.buy(stream, person)
    tickets.buy(later, nova)
    suspended.status = UserStatus.SUSPENDED
    database.session.commit()
    people = (luna, nova, orla, admin, suspended)

    def state_of_ticket(on, person):
        database.session.expire_all()
        return tickets.ticket_of(on, person).state

    assert [role(stream, p) for p in people] == ["host", 409, 403, 409, 403]
    lifecycle.go_live(luna, stream.id)
    database.session.commit()
    assert state_of_ticket(stream, nova) == "held"
    assert [role(stream, p) for p in people] == ["host", "audience", 403, "audience", 403]
    with clock.frozen(START + timedelta(minutes=5)):
        streams_service.tick(clock.now())
        database.session.commit()
        assert state_of_ticket(stream, nova) == "settled"
        assert [role(stream, p) for p in people] == ["host", "audience", 403, "audience", 403]
        lifecycle.end(luna, stream.id)
        lifecycle.end(luna, later.id)
        database.session.commit()
        streams_service.tick(clock.now())
        database.session.commit()
        assert state_of_ticket(later, nova) == "released"
        for over in (stream, later):
            assert [role(over, p) for p in people] == [403, 403, 403, 403, 403]


def test_the_token_route(luna, nova, signed_in, app):
    stream = live_stream(luna)
    browser, _ = signed_in(nova)
    answer = browser.get(f"/live/{stream.id}/token")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    body = answer.get_json()
    assert (body["channel"], body["uid"], body["role"]) == (stream.channel, nova.id, "audience")
    assert body["host_uid"] == luna.id
    assert body["expires_in"] == 1200 and body["audience_level"] == 1
    assert decoded(RtcCredentials(APP_ID, stream.channel, nova.id, body["token"], None)) == SUBSCRIBER
    host_browser, _ = signed_in(luna)
    assert host_browser.get(f"/live/{stream.id}/token").get_json()["role"] == "host"
    assert browser.get("/live/999/token").status_code == 404
    app.config.update(AGORA_APP_ID="")
    assert browser.get(f"/live/{stream.id}/token").status_code == 404
    assert app.test_client().get(f"/live/{stream.id}/token").status_code == 302  # visitors sign in first


def test_uid_zero_is_never_issued(app):
    from soulseer.services.readings import agora

    with pytest.raises(ValueError):
        agora.issue("ss-stream-1-00000000", 0, agora.SUBSCRIBER)
