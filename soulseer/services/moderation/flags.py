"""People's reports (F-6) and the auto-hide they can trigger (F-8).

A signed-in person reports content they can see (or a user), with a reason from the kind's list
and a note of 5–1000 characters. The rules, in order: the target exists and they can see it (404
otherwise); it is not their own (403); they have no open flag on it (409; also a partial unique
index); if an admin dismissed their last flag on it, 24 hours have passed (429 with the wait).
The 20-a-day limit is on the route (Flask-Limiter, counting flags made).

Content flagged by AUTO_HIDE_FLAGGERS distinct people whose accounts are at least 7 days old is
hidden at once, until an admin decides. The item's row lock makes concurrent flags count one at a
time, so the third flag hides exactly once.
"""

from datetime import timedelta

import sqlalchemy as sa

from soulseer import clock
from soulseer.extensions import db
from soulseer.models import Flag, ItemState
from soulseer.services.moderation import items, visibility
from soulseer.services.moderation.items import ModerationError

NOTE_MIN, NOTE_MAX = 5, 1000
FLAGS_PER_DAY = 20
REFLAG_AFTER = timedelta(hours=24)
AUTO_HIDE_FLAGGERS = 3  # PRODUCT.md "Defaults": distinct flaggers, accounts >= 7 days old


def _clean(kind, reason, note):
    if reason not in kind.reason_codes():
        raise ModerationError("Choose what is wrong.", field="reason")
    note = (note or "").strip().replace("\r\n", "\n")
    if not NOTE_MIN <= len(note) <= NOTE_MAX:
        raise ModerationError(f"Tell us what happened in {NOTE_MIN} to {NOTE_MAX} characters.", field="note")
    return note


def target_for(user, kind_name, target_id):
    """(kind, target) that `user` may report, or ModerationError (404 unseen, 403 their own)."""
    kind = items.kind_named(kind_name)
    target = kind.load(target_id)
    if target is None or not kind.can_see(user, target):
        raise ModerationError(f"There is no such {kind.label.lower()}.", status=404)
    if kind.author_id(target) == user.id:
        raise ModerationError(f"This {kind.label.lower()} is yours: you cannot report it.", status=403)
    return kind, target


def _refuse_repeat(user, item):
    mine = db.session.execute(
        sa.select(Flag).filter_by(item_id=item.id, flagger_id=user.id).order_by(Flag.id.desc()).limit(1)
    ).scalar_one_or_none()
    if mine is None:
        return
    if mine.state == ItemState.OPEN:
        raise ModerationError("You have already reported this. An admin will look at it.", status=409)
    if mine.state == ItemState.DISMISSED:
        wait = mine.decided_at + REFLAG_AFTER - clock.now()
        if wait.total_seconds() > 0:
            hours = max(1, round(wait.total_seconds() / 3600))
            raise ModerationError(
                f"An admin looked at your report and left this as it is. You can report it again in "
                f"{hours} hour{'s' if hours != 1 else ''}.",
                status=429,
                retry_after=int(wait.total_seconds()) + 1,
            )


def flag(user, kind_name, target_id, reason, note):
    """Store `user`'s report; the caller commits. Returns the Flag. Raises ModerationError."""
    kind, target = target_for(user, kind_name, target_id)
    note = _clean(kind, reason, note)
    item = items.lock(kind.name, target.id, author_id=kind.author_id(target))
    _refuse_repeat(user, item)
    items.reopen(item)
    report = Flag(item_id=item.id, flagger_id=user.id, reason=reason, note=note, snapshot=kind.texts(target))
    db.session.add(report)
    db.session.flush()
    items.rescore(item)
    if kind.hideable and items.trusted_flaggers(item) >= AUTO_HIDE_FLAGGERS:
        visibility.hide_automatically(kind, kind.load(target.id, lock=True))
    if kind.on_flagged:
        kind.on_flagged(kind.load(target.id, lock=True))
    return report
