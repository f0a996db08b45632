"""Agora RTC tokens (agora-token-builder): the one place that knows whether Agora is configured
and how a token is built. Voice and video readings use it, and live streams (services/streams/
access.py decides who gets which role, `issue` builds the token).

For readings: a token is issued only to the two participants of an accepted, active or paused reading, for the
reading's own channel, with the person's user id as the uid (distinct for the two), as a publisher
(both speak in a one-to-one reading), valid for AGORA_TOKEN_LIFETIME_SECONDS; the room page asks
for a new one before it expires.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from agora_token_builder import RtcTokenBuilder
from agora_token_builder.RtcTokenBuilder import Role_Publisher, Role_Subscriber
from flask import current_app

from soulseer import clock
from soulseer.errors import DomainError
from soulseer.models.reading import ReadingMode, ReadingState

TOKEN_STATES = (ReadingState.ACCEPTED, ReadingState.ACTIVE, ReadingState.PAUSED)


class TokenRefused(DomainError):
    """No call credentials for this person and reading now; the message says why."""


@dataclass(frozen=True)
class RtcCredentials:
    app_id: str
    channel: str
    uid: int
    token: str
    expires_at: datetime


def configured(config=None):
    """Voice and video need Agora's app id and certificate (the one test of it)."""
    config = current_app.config if config is None else config
    return bool(config.get("AGORA_APP_ID") and config.get("AGORA_APP_CERTIFICATE"))


def modes_available():
    """Chat always; voice and video only when Agora is configured."""
    if configured():
        return list(ReadingMode)
    return [ReadingMode.CHAT]


def channel_for(reading):
    return f"soulseer-reading-{reading.id}"


def rtc_token(reading, user):
    """Credentials for `user` to join the reading's channel, or TokenRefused."""
    if not configured():
        raise TokenRefused("Voice and video are not configured on this server.")
    if user.id not in (reading.client_id, reading.reader_id):
        raise TokenRefused("Only the two people in this reading can join its call.")
    if reading.mode == ReadingMode.CHAT:
        raise TokenRefused("This is a chat reading.")
    if reading.state not in TOKEN_STATES:
        raise TokenRefused("This reading is not in progress.")
    return issue(channel_for(reading), user.id, PUBLISHER)


PUBLISHER, SUBSCRIBER = Role_Publisher, Role_Subscriber  # a live stream's host and its audience


def issue(channel, uid, role):
    """A token for `uid` on `channel` with `role` (PUBLISHER: join and publish; SUBSCRIBER: join
    only), valid for AGORA_TOKEN_LIFETIME_SECONDS. Callers decide who may have it; uid 0 (anyone)
    is never issued."""
    if not uid:
        raise ValueError("uid 0 would let anyone join with this token")
    config = current_app.config
    expires_at = clock.now() + timedelta(seconds=config["AGORA_TOKEN_LIFETIME_SECONDS"])
    token = RtcTokenBuilder.buildTokenWithUid(
        config["AGORA_APP_ID"], config["AGORA_APP_CERTIFICATE"], channel, uid, role, int(expires_at.timestamp())
    )
    return RtcCredentials(config["AGORA_APP_ID"], channel, uid, token, expires_at)
