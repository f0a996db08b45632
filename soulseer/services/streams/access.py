"""Who may watch a stream, and their Agora credentials (L-2).

| who | role | when |
|---|---|---|
| the stream's reader | host (publisher) | from 10 minutes before the start ("go live now": at once) until the end |
| an admitted viewer | audience (subscriber) | only while live |

Admitted, for a public stream: any signed-in person whose account is active (a suspended one has
no session); for a premium stream: those with an entry ticket (held or settled), and admins; for a
private stream: its invitees and admins. Anyone active may open a premium stream's page, to see
what it is and buy the entry; a private stream does not exist for anyone else (404). A viewer
banned from a stream is never admitted to it. The uid is
always the person's own user id, never 0. The token itself is built by
services/readings/agora.py, the one home of Agora's configuration.
"""

from datetime import timedelta

from flask import current_app

from soulseer import clock
from soulseer.models import StreamKind
from soulseer.services.readings import agora
from soulseer.services.streams import restrictions
from soulseer.services.streams.lifecycle import StreamError

HOST_EARLY = timedelta(minutes=10)


class TokenRefused(StreamError):
    status = 403


def is_host(stream, user):
    return user.is_authenticated and user.id == stream.reader_id


def may_see(stream, user):
    """May `user` open the stream's page (to watch, or to buy the entry)? A private stream: its
    reader, its invitees and admins only."""
    if not (user.is_authenticated and user.is_active):
        return False
    if stream.kind == StreamKind.PRIVATE:
        from soulseer.services.streams import invitations

        return is_host(stream, user) or user.is_admin or invitations.invited(stream, user)
    return True


def admitted(stream, user):
    """May `user` watch `stream` (the video, the chat, gifts)? Its reader always may; a viewer
    banned from it never (services/streams/restrictions.py)."""
    if not (user.is_authenticated and user.is_active):
        return False
    if restrictions.banned(stream, user):
        return False
    if stream.kind == StreamKind.PREMIUM:
        from soulseer.services.streams import tickets

        return is_host(stream, user) or user.is_admin or tickets.holds_ticket(stream, user)
    if stream.kind == StreamKind.PRIVATE:
        return may_see(stream, user)
    return True


def host_window_open(stream, now=None):
    if stream.over:
        return False
    if stream.live or stream.scheduled_at is None:
        return True
    return (now or clock.now()) >= stream.scheduled_at - HOST_EARLY


def token(stream, user):
    """Credentials for `user` on the stream's channel, or TokenRefused (404 without Agora)."""
    if not agora.configured():
        raise TokenRefused("Live streaming is not set up on this server.", status=404)
    if stream.kind == StreamKind.PRIVATE and not may_see(stream, user):
        raise TokenRefused("There is no such stream.", status=404)  # to outsiders it does not exist
    if stream.over:
        raise TokenRefused("This stream is over.")
    if is_host(stream, user):
        if not host_window_open(stream):
            raise TokenRefused("You can join your stream from 10 minutes before its start.")
        return agora.issue(stream.channel, user.id, agora.PUBLISHER)
    if restrictions.banned(stream, user):
        raise TokenRefused(restrictions.BANNED_MESSAGE)
    if not admitted(stream, user):
        if stream.kind == StreamKind.PREMIUM and may_see(stream, user):
            raise TokenRefused("Buy an entry ticket to watch this stream.")
        raise TokenRefused("You cannot watch this stream.")
    if not stream.live:
        raise TokenRefused("This stream has not started yet.", status=409)
    return agora.issue(stream.channel, user.id, agora.SUBSCRIBER)


def page_state(stream, user):
    """What a viewer's open page shows, pushed and sent with each heartbeat: the stream's state, or
    "banned" for a viewer removed from a stream not over. A page showing another reloads."""
    if not stream.over and restrictions.banned(stream, user):
        return "banned"
    return stream.state


PRIVATE_AUDIENCE_LEVEL = 2  # ultra-low latency: a private stream's few invitees talk with her (L-3)


def audience_level(stream):
    """Agora's audience latency level (L-3): 1, low latency, is Broadcast Streaming (cheaper), for
    public and premium streams; 2 for private ones (few viewers, closer to a conversation)."""
    if stream.kind == StreamKind.PRIVATE:
        return PRIVATE_AUDIENCE_LEVEL
    return current_app.config["AGORA_AUDIENCE_LATENCY_LEVEL"]
