"""A person's streams in "export my data" (/account/export): the streams she hosted, the gifts she
sent, her entry tickets, her chat lines, her reminders and invitations, and any mute or ban she
was given. Other people's lines and gifts are not hers and are left out."""

import sqlalchemy as sa

from soulseer.extensions import db
from soulseer.models import (
    Stream,
    StreamGift,
    StreamInvitation,
    StreamMessage,
    StreamReminder,
    StreamRestriction,
    StreamTicket,
)
from soulseer.services.core.data_export import export_section, iso


def _rows(model, column, user):
    return db.session.execute(sa.select(model).where(column == user.id).order_by(model.id)).scalars()


@export_section("streams")
def _export_streams(user):
    titles = dict(db.session.execute(sa.select(Stream.id, Stream.title)).all())
    return {
        "hosted": [
            {
                "id": s.id,
                "title": s.title,
                "kind": s.kind,
                "state": s.state,
                "entry_price_cents": s.entry_price_cents,
                "scheduled_at": iso(s.scheduled_at),
                "started_at": iso(s.started_at),
                "ended_at": iso(s.ended_at),
                "viewers_peak": s.viewers_peak,
            }  # fmt: skip
            for s in _rows(Stream, Stream.reader_id, user)
        ],
        "gifts_sent": [
            {
                "stream": titles.get(g.stream_id),
                "gift": g.gift.name,
                "price_cents": g.price_cents,
                "anonymous": g.anonymous,
                "sent_at": iso(g.created_at),
            }  # fmt: skip
            for g in _rows(StreamGift, StreamGift.sender_id, user)
        ],
        "tickets": [
            {
                "stream": titles.get(t.stream_id),
                "price_cents": t.price_cents,
                "state": t.state,
                "bought_at": iso(t.created_at),
            }  # fmt: skip
            for t in _rows(StreamTicket, StreamTicket.user_id, user)
        ],
        "chat_lines": [
            {"stream": titles.get(m.stream_id), "body": m.body, "written_at": iso(m.created_at), "hidden": m.hidden}
            for m in _rows(StreamMessage, StreamMessage.sender_id, user)
        ],
        "reminders": [
            {"stream": titles.get(r.stream_id), "asked_at": iso(r.created_at)}
            for r in _rows(StreamReminder, StreamReminder.user_id, user)
        ],
        "invitations": [
            {"stream": titles.get(i.stream_id), "invited_at": iso(i.created_at)}
            for i in _rows(StreamInvitation, StreamInvitation.user_id, user)
        ],
        "muted_or_banned": [
            {"stream": titles.get(r.stream_id), "restriction": r.kind, "since": iso(r.created_at)}
            for r in _rows(StreamRestriction, StreamRestriction.user_id, user)
        ],
    }
