"""Private streams (L-1, L-6): the reader invites up to 20 of her clients (read for, or keeping her
as a favourite); only they see the stream listed, open its page and get a token (others: 404);
they are notified at the invitation and at the start; the stream is on no public list, and her
card says "In a private stream" with no link."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from soulseer import clock
from soulseer.extensions import db as database
from soulseer.models import Favourite, Notification, ReaderProfile, Stream, StreamInvitation, StreamReminder
from soulseer.services.readings import lifecycle as readings
from soulseer.services.streams import invitations, lifecycle
from soulseer.services.streams.lifecycle import StreamError
from tests.readings.conftest import Session
from tests.streams.conftest import fund

pytestmark = pytest.mark.usefixtures("agora_configured")


def favourite_of(reader, client):
    profile_id = database.session.execute(sa.select(ReaderProfile.id).filter_by(user_id=reader.id)).scalar_one()
    database.session.add(Favourite(client_id=client.id, reader_profile_id=profile_id))
    database.session.commit()


def read_for(reader, client):
    """A chat reading of `client` with `reader` that took place (started, then finished)."""
    fund(client, 5000)
    session = Session(client, reader)
    session.accept()
    session.join_both()
    session.do(readings.finish, reader)


def notices(user):
    database.session.expire_all()
    rows = database.session.execute(sa.select(Notification).filter_by(user_id=user.id).order_by(Notification.id))
    return [n.text for n in rows.scalars()]


def test_a_private_stream_is_for_her_invited_clients_only(luna, nova, orla, make_user, signed_in, app):
    ivy = make_user(role="client", consented=True, display_name="Ivy")
    read_for(luna, nova)
    favourite_of(luna, orla)
    host, host_token = signed_in(luna)
    made = host.post("/reader/streams/new", data={"csrf_token": host_token, "title": "Circle of five",
                                                 "kind": "private"})  # fmt: skip
    stream = database.session.execute(sa.select(Stream)).scalar_one()
    assert made.status_code == 302 and stream.kind == "private"
    studio = host.get(f"/live/{stream.id}").get_data(as_text=True)
    assert "0 of 20" in studio and "Invite Nova" in studio and "Invite Orla" in studio and "Ivy" not in studio

    invited = host.post(f"/live/{stream.id}/invitations", data={"csrf_token": host_token, "client": nova.id},
                        headers={"HX-Request": "true"})  # fmt: skip
    assert invited.status_code == 200 and "1 of 20" in invited.get_data(as_text=True)
    assert notices(nova) == ["Luna invited you to her private stream (starts soon): Circle of five"]
    stranger = host.post(f"/live/{stream.id}/invitations", data={"csrf_token": host_token, "client": ivy.id})
    assert stranger.status_code == 404 and "clients you have read for" in stranger.get_data(as_text=True)
    assert database.session.scalar(sa.select(sa.func.count()).select_from(StreamInvitation)) == 1
    assert notices(ivy) == []

    guest, guest_token = signed_in(nova)
    outsider, outsider_token = signed_in(ivy)
    assert guest.get(f"/live/{stream.id}").status_code == 200
    for path in ("", "/token", "/board"):
        assert outsider.get(f"/live/{stream.id}{path}").status_code == 404
    assert outsider.post(f"/live/{stream.id}/heartbeat", data={"csrf_token": outsider_token}).status_code == 404

    lifecycle.go_live(luna, stream.id)
    database.session.commit()
    assert notices(nova)[-1] == "Luna is live now: Circle of five"  # told at the start
    assert "Circle of five" in guest.get("/live").get_data(as_text=True)
    assert "Circle of five" not in outsider.get("/live").get_data(as_text=True)
    visitor = app.test_client()
    assert "Circle of five" not in visitor.get("/").get_data(as_text=True)  # the shared home page
    page = visitor.get("/readers/luna").get_data(as_text=True)
    assert "In a private stream" in page and f"/live/{stream.id}" not in page and "tag-live" not in page
    assert "In a private stream" in visitor.get("/readers").get_data(as_text=True)
    token = guest.get(f"/live/{stream.id}/token").get_json()
    assert (token["role"], token["uid"], token["audience_level"]) == ("audience", nova.id, 2)
    assert outsider.get(f"/live/{stream.id}/token").status_code == 404
    # Orla, invited once it is live, watches at once; nobody can be uninvited any more (ban instead).
    assert signed_in(orla)[0].get(f"/live/{stream.id}/token").status_code == 404
    host.post(f"/live/{stream.id}/invitations", data={"csrf_token": host_token, "client": orla.id})
    assert notices(orla) == ["Luna invited you to her private stream (is live now): Circle of five"]
    assert signed_in(orla)[0].get(f"/live/{stream.id}/token").get_json()["role"] == "audience"
    late = host.post(f"/live/{stream.id}/invitations", data={"csrf_token": host_token, "client": nova.id,
                                                             "action": "uninvite"})  # fmt: skip
    assert late.status_code == 409 and "ban the viewer instead" in late.get_data(as_text=True)
    # Nobody else invites: a viewer's try is a 404.
    assert guest.post(f"/live/{stream.id}/invitations", data={"csrf_token": guest_token,
                                                              "client": ivy.id}).status_code == 404  # fmt: skip


def test_up_to_twenty_and_taken_back_before_the_start(luna, make_user):
    with clock.frozen(clock.now()):
        stream = lifecycle.create(luna, "Small circle", clock.now() + timedelta(hours=2), "private")
        database.session.commit()
        clients = [make_user(role="client", consented=True, display_name=f"Client {n:02}") for n in range(21)]
        for client in clients:
            favourite_of(luna, client)
        assert len(invitations.eligible(stream)) == 21
        for client in clients[:20]:
            invitations.invite(luna, stream.id, client.id)
            database.session.commit()
        invitations.invite(luna, stream.id, clients[0].id)  # again: nothing changes
        database.session.commit()
        with pytest.raises(StreamError, match="up to 20 invited clients"):
            invitations.invite(luna, stream.id, clients[20].id)
        database.session.rollback()
        assert [c.id for c in invitations.invitees(stream)] == [c.id for c in clients[:20]]
        assert invitations.eligible(stream) == [clients[20]]
        # Each invitee has her reminder row (told 15 minutes before and at the start); taking the
        # invitation back takes both, and frees a place.
        assert database.session.scalar(sa.select(sa.func.count()).select_from(StreamReminder)) == 20
        invitations.uninvite(luna, stream.id, clients[3].id)
        invitations.invite(luna, stream.id, clients[20].id)
        database.session.commit()
        assert database.session.scalar(sa.select(sa.func.count()).select_from(StreamReminder)) == 20
        assert clients[3].id not in {c.id for c in invitations.invitees(stream)}
        # Only a private stream has invitations, and only its reader's.
        public = lifecycle.create(luna, "Open circle")
        database.session.commit()
        with pytest.raises(StreamError, match="Only a private stream"):
            invitations.invite(luna, public.id, clients[0].id)
        database.session.rollback()
        with pytest.raises(StreamError) as refused:
            invitations.invite(clients[0], stream.id, clients[1].id)
        assert refused.value.status == 404
