"""What open stream pages get over their event streams (docs/events.md), after the commit.

| event | fragment |
|---|---|
| `stream-<id>-viewers` | the viewer count |
| `stream-<id>-chat` | a chat line or a gift's line, as viewers see it (with "Report") |
| `stream-<id>-host-chat` | the same line for the stream's reader (with "Remove"), to her alone |
| `stream-<id>-line-<line id>` | a removed line, replaced in place |
| `stream-<id>-gift` | the gift's animation (a still badge under reduced motion) |
| `stream-<id>-board` | the top three gifters |
| `stream-<id>-state` | the stream's state: a page whose state differs reloads itself (also to one
  viewer alone when she is banned or let back in) |
| `live-streams` | empty, a signal: the /live listing reloads its list |

A public stream's events go to every signed-in tab (`publish_public`: no viewer-specific content);
every fragment is rendered as a visitor would see it.
"""

from flask import render_template
from sqlalchemy.orm import joinedload

from soulseer.extensions import db
from soulseer.models import Stream, StreamGift, StreamKind, StreamMessage
from soulseer.services.core import events

LISTING_EVENT = "live-streams"


def event(stream_id, name):
    return f"stream-{stream_id}-{name}"


def _to_audience(stream, name, html=None):
    """Everyone watching the stream, and its reader. `name` may also be a list of (name, html)
    pairs, which travel as one message and reach each tab in one write."""
    pairs = [(event(stream.id, n), h) for n, h in ([(name, html)] if html is not None else name)]
    if stream.kind == StreamKind.PUBLIC:
        events.publish_public(pairs)
        return
    from soulseer.services.streams import viewers

    # One message for the whole audience (each web process hands it to its own tabs of these users).
    events.publish_to_users({stream.reader_id, *viewers.watching(stream.id)}, pairs)


@events.publisher(Stream)
def publish_count(stream, number):
    _to_audience(stream, "viewers", render_template("streams/_viewers.html", stream=stream, viewers=number))


@events.publisher(StreamMessage)
def publish_message(message):
    stream = db.session.get(Stream, message.stream_id)
    _to_audience(stream, "chat", render_template("streams/_line.html", line=("message", message), stream=stream))
    html = render_template("streams/_line.html", line=("message", message), stream=stream, host=True)
    events.publish_to_user(stream.reader_id, event(stream.id, "host-chat"), html)


@events.publisher(StreamMessage)
def publish_removal(message):
    stream = db.session.get(Stream, message.stream_id)
    html = render_template("streams/_line.html", line=("message", message), stream=stream, live_swap=True)
    _to_audience(stream, f"line-{message.id}", html)


# The row with its gift, sender and stream in one query (the fragments show all four).
@events.publisher(StreamGift, joinedload(StreamGift.gift), joinedload(StreamGift.sender), joinedload(StreamGift.stream))
def publish_gift(row):
    """A gift's animation, its chat line and the new board: one message, one write per tab."""
    from soulseer.services.streams import gifts

    stream = row.stream
    line = render_template("streams/_line.html", line=("gift", row), stream=stream)
    board = render_template("streams/_board_top.html", stream=stream, standings=gifts.board(stream.id))
    burst = render_template("streams/_gift_burst.html", row=row)
    _to_audience(stream, [("gift", burst), ("chat", line), ("board", board)])
    events.publish_to_user(stream.reader_id, event(stream.id, "host-chat"), line)


@events.publisher(Stream)
def publish_state(stream):
    _to_audience(stream, "state", render_template("streams/_state.html", stream=stream))


@events.publisher(Stream)
def publish_to_viewer_state(stream, user_id):
    """One viewer's own page state (banned, or admitted again): her open pages reload."""
    from soulseer.models import User
    from soulseer.services.streams import access

    state = access.page_state(stream, db.session.get(User, user_id))
    html = render_template("streams/_state.html", stream=stream, state=state)
    events.publish_to_user(user_id, event(stream.id, "state"), html)


def publish_listing():
    events.publish_public(LISTING_EVENT, "")
