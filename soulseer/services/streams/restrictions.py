"""Muting and banning a viewer for one stream (L-10), by the stream's reader or an admin.

- **Muted**: she still watches and may send gifts; her chat lines are refused with a message that
  says so (`chat.post`).
- **Banned**: she is out of the stream: not admitted (`access.admitted`), so no token is issued or
  renewed (403), no chat, no gifts, no heartbeat counted; her open page reloads at once and says
  she was removed. A premium ticket she bought stays as it is (she was admitted and watched; an
  admin refunds through commerce if the ban was a mistake).

One row per viewer per stream; muting a banned viewer (or banning a muted one) changes its kind,
lifting deletes it. Every change is audit-logged with the stream as target and the viewer in it.
Nobody restricts the stream's reader or an admin.
"""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from soulseer import clock
from soulseer.extensions import db
from soulseer.models import RestrictionKind, StreamRestriction, User
from soulseer.services.core import after_commit, audit
from soulseer.services.streams import live
from soulseer.services.streams.lifecycle import StreamError

ACTIONS = {"mute": RestrictionKind.MUTED, "ban": RestrictionKind.BANNED, "lift": None}
MUTED_MESSAGE = "You were muted in this stream, so your messages are not sent. You can still watch."
BANNED_MESSAGE = "You were removed from this stream and cannot watch it."


def may_moderate(stream, user):
    """The stream's reader and admins mute, ban and lift."""
    return bool(user.is_authenticated and (user.id == stream.reader_id or user.is_admin))


def of(stream, user):
    """The viewer's restriction in the stream ("muted", "banned") or None."""
    if not user.is_authenticated:
        return None
    return db.session.execute(
        sa.select(StreamRestriction.kind).filter_by(stream_id=stream.id, user_id=user.id)
    ).scalar_one_or_none()


def banned(stream, user):
    return of(stream, user) == RestrictionKind.BANNED


def listed(stream):
    """The stream's muted and banned viewers, latest first (the reader's and admins' list)."""
    return list(
        db.session.execute(
            sa.select(StreamRestriction)
            .filter_by(stream_id=stream.id)
            .order_by(StreamRestriction.created_at.desc(), StreamRestriction.id.desc())
        ).scalars()
    )


def apply(actor, stream, user_id, action):
    """`action` is "mute", "ban" or "lift" for the viewer `user_id`; the caller commits. Doing what
    is already so changes nothing and logs nothing."""
    if not may_moderate(stream, actor):
        raise StreamError("Only the stream's reader or an admin can do that.", status=403)
    if action not in ACTIONS:
        raise StreamError("Choose mute, ban or lift.", field="action")
    if stream.over:
        raise StreamError("This stream is over.", status=409)
    viewer = db.session.get(User, user_id)
    if viewer is None:
        raise StreamError("There is no such viewer.", status=404)
    if viewer.id == stream.reader_id or viewer.is_admin:
        raise StreamError("The stream's reader and admins cannot be muted or banned.", status=403)
    kind = ACTIONS[action]
    before = of(stream, viewer)
    if before == kind:
        return before
    if kind is None:
        db.session.execute(sa.delete(StreamRestriction).filter_by(stream_id=stream.id, user_id=viewer.id))
    else:
        db.session.execute(
            insert(StreamRestriction)
            .values(stream_id=stream.id, user_id=viewer.id, kind=kind, by_id=actor.id, created_at=clock.now())
            .on_conflict_do_update(
                constraint="uq_stream_restrictions_one_per_viewer",
                set_={"kind": kind, "by_id": actor.id, "created_at": clock.now()},
            )
        )
    audit.record(
        actor,
        f"stream.viewer_{'restored' if kind is None else kind}",
        stream,
        before={"viewer_id": viewer.id, "restriction": before},
        after={"viewer_id": viewer.id, "restriction": kind},
    )
    if kind == RestrictionKind.BANNED or before == RestrictionKind.BANNED:
        from soulseer.services.streams import viewers

        viewers.left(stream, viewer)
        after_commit.run(live.publish_to_viewer_state, stream.id, viewer.id)
    return kind
