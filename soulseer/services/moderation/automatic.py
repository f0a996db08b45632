"""Screening's flags: what screening finds in content is stored as an automatic flag (F-9).

`screen(kind, target, fields=None)` runs the screening engine (screening.py) on the target's text,
stores the hits (detector, field, offsets, matched text) as one flag without a flagger on the
target's queue item, and returns a `Screening` for the writer: the content is published as
written whatever it finds. Self-harm language makes the item urgent; written by a client, it also
gets them the crisis banner (F-10). The result is also left on `target.screening`, so a service
that returns the content hands it to its view.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from soulseer.extensions import db
from soulseer.models import Flag, ModerationItem, Role, ScreeningHit, User
from soulseer.services.moderation import items, kinds, screening

# The flag's reason, from the most serious detector found.
_REASONS = (
    (screening.Detector.SELF_HARM, "self_harm"),
    (screening.Detector.EMAIL, "off_platform"),
    (screening.Detector.PHONE, "off_platform"),
    (screening.Detector.PAYMENT_APP, "off_platform"),
    (screening.Detector.MESSAGING_APP, "off_platform"),
    (screening.Detector.LINK, "off_platform"),
    (screening.Detector.GUARANTEE, "false_claims"),
    (screening.Detector.CURSE_REMOVAL, "false_claims"),
)


@dataclass(frozen=True)
class Screening:
    """What the writer is told about what they just wrote (nothing was blocked)."""

    hits: tuple  # screening.Hit, every field's (but links where the kind allows them)
    crisis_banner: bool  # self-harm language by a client: show them the crisis resources

    @property
    def notice(self):
        """Something against the rules other than self-harm: the screening notice."""
        return any(hit.detector is not screening.Detector.SELF_HARM for hit in self.hits)

    @property
    def detectors(self):
        return sorted({hit.detector.value for hit in self.hits})


CLEAN = Screening(hits=(), crisis_banner=False)


def _reason(hits):
    found = {hit.detector for hit in hits}
    return next(reason for detector, reason in _REASONS if detector in found)


def screen(kind_name, target, fields=None):
    """Screen the target's text (only `fields`, when given: what an edit changed); store any hits
    as an automatic flag. An edit of hidden content opens its queue item again (it stays hidden).
    The caller commits. Returns the Screening (also on `target.screening`)."""
    kind = kinds.get(kind_name)
    texts = kind.texts(target)
    found = []
    for field, text in texts.items():
        if text and (fields is None or field in fields):
            found.extend((field, hit) for hit in screening.screen(text, current_app.config["SCREENING_ALLOWED_HOSTS"]))
    hits = tuple(hit for _, hit in found)
    author_id = kind.author_id(target)
    by_client = author_id is not None and db.session.get(User, author_id).role == Role.CLIENT
    told = tuple(hit for hit in hits if not (kind.links_allowed and hit.detector is screening.Detector.LINK))
    result = Screening(hits=told, crisis_banner=by_client and screening.is_self_harm(hits)) if told else CLEAN
    target.screening = result
    # F-8: the author edited hidden content: it stays hidden, and its item waits for an admin again.
    edited_while_hidden = bool(fields) and kind.hideable and target.hidden
    if hits or edited_while_hidden:
        item = items.lock(kind.name, target.id, author_id=author_id)
        items.reopen(item, "edited_while_hidden" if edited_while_hidden else None)
    if hits:
        flag = Flag(item_id=item.id, flagger_id=None, reason=_reason(hits), snapshot=texts)
        flag.hits = [
            ScreeningHit(field=field, detector=hit.detector.value, start_offset=hit.start, end_offset=hit.end,
                         matched=hit.matched)
            for field, hit in found
        ]  # fmt: skip
        db.session.add(flag)
        db.session.flush()
        items.rescore(item)
    return result


def with_self_harm(kind_name, target_ids):
    """Of these targets, the ids with an open self-harm hit from screening (the reader's guidance)."""
    if not target_ids:
        return set()
    return set(
        db.session.execute(
            sa.select(ModerationItem.target_id)
            .join(Flag, Flag.item_id == ModerationItem.id)
            .join(ScreeningHit, ScreeningHit.flag_id == Flag.id)
            .where(
                ModerationItem.kind == kind_name,
                ModerationItem.target_id.in_(list(target_ids)),
                Flag.flagger_id.is_(None),
                ScreeningHit.detector == screening.Detector.SELF_HARM.value,
            )
        ).scalars()
    )
