"""Stream chat in the one moderation queue (docs/moderation.md): the `stream_message` kind, shown
with the lines around it in its stream."""

from flask import url_for

from soulseer.extensions import db
from soulseer.models import Stream, StreamMessage
from soulseer.services.moderation.kinds import ContentKind, LinesAround, register


def _seen_by(user, message):
    from soulseer.services.streams import access

    stream = db.session.get(Stream, message.stream_id)
    return message.visible and (access.is_host(stream, user) or access.admitted(stream, user))


def register_kinds():
    register(
        ContentKind(
            "stream_message", "Stream chat line", StreamMessage, author="sender_id", fields=("body",),
            can_see=_seen_by, link=lambda message: url_for("streams.show", stream_id=message.stream_id),
            context=LinesAround(Stream, "stream_id", "stream"),
            describe=lambda message: f"A line by {message.sender.display_name} in a live stream",
        )
    )  # fmt: skip
