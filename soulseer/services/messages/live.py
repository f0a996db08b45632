"""What a recipient's open tabs get when a message arrives (M-6), over their event stream (one per
tab, every tab of a user reached by `events.publish_to_user`; docs/events.md):

- `conversation-<id>`: the message, rendered for the recipient (a locked paid reply stays locked:
  its text is in no event), appended to the thread if it is open. It carries a marker that tells
  the server the recipient has now seen it (marking the thread read up to it).
- `messages-unread`: the badge with the recipient's unread count, for every page's navigation.
- `message-<id>`: a paid reply that changed (the client unlocked it: to the reader; the reader
  withdrew it: to the client), swapped in place of the one shown.

Both are published after the commit (services/core/after_commit.py)."""

from flask import render_template

from soulseer.extensions import db
from soulseer.models import Conversation, Message, User
from soulseer.services.core import events
from soulseer.services.messages import unread

BADGE_EVENT = "messages-unread"


def thread_event(conversation_id):
    return f"conversation-{conversation_id}"


@events.publisher(Message)
def publish_message(message):
    conversation = db.session.get(Conversation, message.conversation_id)
    recipient = db.session.get(User, conversation.other_id(message.sender))
    html = render_template("messages/_arrived.html", message=message, conversation=conversation, viewer=recipient)
    events.publish_to_user(recipient.id, thread_event(conversation.id), html)
    _publish_badge(recipient)


def reply_event(message_id):
    return f"message-{message_id}"


@events.publisher(Message)
def publish_reply_change(message, viewer_id):
    """A paid reply changed (unlocked, withdrawn): the other person's open thread shows its new
    state in place (`message-<id>`, outerHTML). Rendered for that viewer, so a withdrawn reply
    still carries no text to its client."""
    viewer = db.session.get(User, viewer_id)
    html = render_template("messages/_message.html", message=message, viewer=viewer, live=True)
    events.publish_to_user(viewer_id, reply_event(message.id), html)


@events.publisher(User)
def publish_badge(user):
    _publish_badge(user)


def _publish_badge(user):
    html = render_template("messages/_unread_badge.html", messages_unread=unread.total(user))
    events.publish_to_user(user.id, BADGE_EVENT, html)
