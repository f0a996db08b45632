"""Agora RTC tokens: only for participants, with the reading's channel, their uid, publisher
privileges and a 20-minute expiry — checked by decoding the token and its HMAC signature."""

import base64
import hashlib
import hmac
from zlib import crc32

import pytest
from agora_token_builder.AccessToken import (
    VERSION_LENGTH,
    kJoinChannel,
    kPublishAudioStream,
    kPublishVideoStream,
    unPackContent,
    unPackMessages,
)

from soulseer.services.readings import agora
from tests.readings.conftest import START, Session, fund

APP_ID = "0123456789abcdef0123456789abcdef"
CERTIFICATE = "fedcba9876543210fedcba9876543210"


@pytest.fixture
def agora_configured(app):
    app.config.update(AGORA_APP_ID=APP_ID, AGORA_APP_CERTIFICATE=CERTIFICATE)
    yield
    app.config.update(AGORA_APP_ID="", AGORA_APP_CERTIFICATE="")


def decode(token):
    assert token[:VERSION_LENGTH] == "006" and token[VERSION_LENGTH : VERSION_LENGTH + 32] == APP_ID
    content = base64.b64decode(token[VERSION_LENGTH + 32 :])
    signature, crc_channel, crc_uid, message = unPackContent(content)
    _, _, privileges = unPackMessages(message)
    return signature, crc_channel, crc_uid, message, privileges


def voice_session(people):
    client, reader = people
    fund(client, 10_000)
    return Session(client, reader, 100, mode="voice")


def test_participants_get_a_token_for_their_channel_and_uid(agora_configured, people):
    client, reader = people
    session = voice_session(people)
    session.accept()
    reading = session.reading()
    expected_expiry = int(START.timestamp()) + 20 * 60
    for person in (client, reader):
        credentials = agora.rtc_token(reading, person)
        assert credentials.channel == f"soulseer-reading-{reading.id}" and credentials.uid == person.id
        signature, crc_channel, crc_uid, message, privileges = decode(credentials.token)
        assert crc_channel == crc32(credentials.channel.encode()) & 0xFFFFFFFF
        assert crc_uid == crc32(str(person.id).encode()) & 0xFFFFFFFF
        signed = (APP_ID + credentials.channel + str(person.id)).encode() + message
        assert signature == hmac.new(CERTIFICATE.encode(), signed, hashlib.sha256).digest()
        # Publisher: join and publish audio and video, all until the expiry.
        assert privileges[kJoinChannel] == expected_expiry
        assert privileges[kPublishAudioStream] == privileges[kPublishVideoStream] == expected_expiry
    assert agora.rtc_token(reading, client).token != agora.rtc_token(reading, reader).token


def test_no_token_for_anyone_else_or_outside_the_reading(agora_configured, people, make_user):
    session = voice_session(people)
    reading = session.reading()
    with pytest.raises(agora.TokenRefused, match="not in progress"):
        agora.rtc_token(reading, people[0])  # requested, not yet accepted
    session.accept()
    with pytest.raises(agora.TokenRefused, match="Only the two people"):
        agora.rtc_token(session.reading(), make_user(role="client", consented=True))


def test_without_agora_only_chat_is_offered(app, people):
    assert agora.modes_available() == ["chat"]
    # A voice reading requested while Agora was configured, and Agora taken away since.
    app.config.update(AGORA_APP_ID=APP_ID, AGORA_APP_CERTIFICATE=CERTIFICATE)
    session = voice_session(people)
    app.config.update(AGORA_APP_ID="", AGORA_APP_CERTIFICATE="")
    with pytest.raises(agora.TokenRefused, match="not configured"):
        agora.rtc_token(session.reading(), people[0])
