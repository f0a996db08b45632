"""Queue items: one per target (F-7), found or made under a row lock, scored from their open flags.

Lock order, everywhere in moderation: the item row first, then the target's row. Flags, screening,
hiding and the queue's decisions all take the item's lock, so two of them on one target run one
after the other: two flags at once can neither double-count nor double-hide.
"""

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from soulseer import clock
from soulseer.errors import DomainError
from soulseer.extensions import db
from soulseer.models import Flag, ItemState, ModerationItem, User
from soulseer.services.moderation import kinds

# Accounts at least this old are trusted flaggers: they weigh double and count for auto-hide (F-8).
TRUSTED_ACCOUNT_AGE = timedelta(days=7)
# Self-harm, by a person's report or by screening: the item goes to the top of the queue.
URGENT_REASONS = frozenset({"self_harm"})


class ModerationError(DomainError):
    """A refused moderation action (soulseer.errors.DomainError: message, field, status); a 429
    also says in `retry_after` how many seconds to wait."""

    status = 422


def kind_named(name):
    kind = kinds.get(name)
    if kind is None:
        raise ModerationError("There is no such thing to report.", status=404)
    return kind


def lock(kind_name, target_id, author_id=None, create=True):
    """The target's item, locked FOR UPDATE; made (open) when missing and `create`. None if missing."""
    if create:
        db.session.execute(
            pg_insert(ModerationItem)
            .values(kind=kind_name, target_id=target_id, author_id=author_id, opened_at=clock.now())
            .on_conflict_do_nothing(constraint="uq_moderation_items_kind")
        )
    return db.session.execute(
        sa.select(ModerationItem)
        .filter_by(kind=kind_name, target_id=target_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def trusted_since():
    return clock.now() - TRUSTED_ACCOUNT_AGE


def open_flags(item):
    return list(
        db.session.execute(sa.select(Flag).filter_by(item_id=item.id, state=ItemState.OPEN).order_by(Flag.id)).scalars()
    )


def trusted_flaggers(item):
    """Distinct people with an open flag on the item whose accounts are at least 7 days old."""
    return db.session.execute(
        sa.select(sa.func.count(sa.distinct(Flag.flagger_id)))
        .join(User, User.id == Flag.flagger_id)
        .where(Flag.item_id == item.id, Flag.state == ItemState.OPEN, User.created_at <= trusted_since())
    ).scalar_one()


def rescore(item):
    """score and urgent from the open flags: a person's flag counts 1 (2 from a trusted account),
    screening's 1 per detector that matched; self-harm makes the item urgent."""
    flags = open_flags(item)
    trusted = set(
        db.session.execute(
            sa.select(User.id).where(
                User.id.in_([f.flagger_id for f in flags if f.flagger_id]), User.created_at <= trusted_since()
            )
        ).scalars()
    )
    score = 0
    for flag in flags:
        if flag.automatic:
            score += len({hit.detector for hit in flag.hits}) or 1
        else:
            score += 2 if flag.flagger_id in trusted else 1
    item.score = score
    item.urgent = any(flag.reason in URGENT_REASONS for flag in flags)


def reopen(item, why=None):
    """A new flag on a decided item opens it again (its earlier flags stay decided). `why` is kept
    in `decision` while it is open when no flag says it (the author edited hidden content)."""
    if item.state != ItemState.OPEN:
        item.state = ItemState.OPEN
        item.opened_at = clock.now()
        item.decided_at = item.decided_by_id = item.decision_reason = None
        item.decision = why
    elif why:
        item.decision = why


def decide(item, admin, state, decision, reason=None):
    """Close an open item and its open flags: `actioned` or `dismissed`, by `admin`, with why."""
    now = clock.now()
    for flag in open_flags(item):
        flag.state, flag.decided_at, flag.decided_by_id = state, now, admin.id
    item.state, item.decided_at, item.decided_by_id = state, now, admin.id
    item.decision, item.decision_reason = decision, reason
