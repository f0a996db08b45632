"""Agora RTC tokens for voice and video readings (agora-token-builder).

A token is issued only to the two participants of an accepted, active or paused reading, for the
reading's own channel, with the person's user id as the uid (distinct for the two), as a publisher
(both speak in a one-to-one reading), valid for AGORA_TOKEN_LIFETIME_SECONDS; the room page asks
for a new one before it expires.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from agora_token_builder import RtcTokenBuilder
from agora_token_builder.RtcTokenBuilder import Role_Publisher
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
    config = current_app.config
    expires_at = clock.now() + timedelta(seconds=config["AGORA_TOKEN_LIFETIME_SECONDS"])
    channel = channel_for(reading)
    token = RtcTokenBuilder.buildTokenWithUid(
        config["AGORA_APP_ID"],
        config["AGORA_APP_CERTIFICATE"],
        channel,
        user.id,
        Role_Publisher,
        int(expires_at.timestamp()),
    )
    return RtcCredentials(config["AGORA_APP_ID"], channel, user.id, token, expires_at)
