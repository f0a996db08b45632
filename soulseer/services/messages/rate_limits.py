"""How fast people may write (M-7), on the app's one moving-window limiter (services/core/throttle.py):
clients 30 messages per 10 minutes and 10 new conversations a day, readers 60 messages per 10
minutes. Over a limit: MessageError 429 with the seconds to wait. Only what was stored counts."""

import math
import time

from limits import parse

from soulseer.models import Role
from soulseer.services.core import throttle
from soulseer.services.messages.conversations import MessageError

MESSAGES = {Role.CLIENT: parse("30/10 minutes"), Role.READER: parse("60/10 minutes")}
NEW_CONVERSATIONS = parse("10/day")  # clients only: readers write to clients they have read for


def _check(limit, key, message):
    limiter = throttle.moving_window()
    if not limiter.test(limit, *key):
        reset_at, _ = limiter.get_window_stats(limit, *key)
        raise MessageError(message, status=429, retry_after=max(1, math.ceil(reset_at - time.time())))


def check_message(user):
    _check(
        MESSAGES[user.role],
        ("messages", str(user.id)),
        "You are sending messages very quickly. Please wait a few minutes and try again.",
    )


def count_message(user):
    throttle.moving_window().hit(MESSAGES[user.role], "messages", str(user.id))


def check_new_conversation(user):
    if user.role == Role.CLIENT:
        _check(
            NEW_CONVERSATIONS,
            ("conversations", str(user.id)),
            "You have started 10 new conversations today, the most in a day. You can still write in the ones you have.",
        )


def count_new_conversation(user):
    if user.role == Role.CLIENT:
        throttle.moving_window().hit(NEW_CONVERSATIONS, "conversations", str(user.id))
