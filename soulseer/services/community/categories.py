"""The community's categories (F-1): the five of PRODUCT.md §8, seeded by migration 0017. Admins
edit their names, descriptions and order (the slug is the URL and stays); only admins start
threads in a category marked `admins_only` (Announcements)."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from soulseer.extensions import db
from soulseer.models import CommunityCategory, CommunityThread
from soulseer.services.community.writing import CommunityError
from soulseer.services.core import audit
from soulseer.services.marketplace import page_cache

NAME_MIN, NAME_MAX = 2, 60
DESCRIPTION_MAX = 300


@dataclass(frozen=True)
class CategorySummary:
    category: CommunityCategory
    thread_count: int
    last_activity_at: datetime | None


def ordered():
    return list(
        db.session.execute(
            sa.select(CommunityCategory).order_by(CommunityCategory.position, CommunityCategory.id)
        ).scalars()
    )


def by_slug(slug):
    return db.session.execute(sa.select(CommunityCategory).filter_by(slug=slug)).scalar_one_or_none()


def summaries():
    """Every category in order with how many threads everyone can read and their latest activity."""
    from soulseer.services.community.threads import listed_clause

    counts = dict(
        (category_id, (count, latest))
        for category_id, count, latest in db.session.execute(
            sa.select(CommunityThread.category_id, sa.func.count(), sa.func.max(CommunityThread.last_activity_at))
            .where(listed_clause())
            .group_by(CommunityThread.category_id)
        )
    )
    return [CategorySummary(category, *counts.get(category.id, (0, None))) for category in ordered()]


def may_start_thread(user, category):
    return user is not None and (not category.admins_only or user.is_admin)


def update(admin, category_id, name, description, position):
    """An admin renames, describes or moves a category; audit-logged. The caller commits."""
    category = db.session.get(CommunityCategory, category_id, with_for_update=True)
    if category is None:
        raise CommunityError("There is no such category.", status=404)
    name = " ".join((name or "").split())
    description = " ".join((description or "").split())
    if not NAME_MIN <= len(name) <= NAME_MAX:
        raise CommunityError(f"Give the category a name of {NAME_MIN} to {NAME_MAX} characters.", field="name")
    if len(description) > DESCRIPTION_MAX:
        raise CommunityError(f"Keep the description to {DESCRIPTION_MAX} characters.", field="description")
    if position is None or not 1 <= position <= 99:
        raise CommunityError("Give a place in the list from 1 to 99.", field="position")
    before = {"name": category.name, "description": category.description, "position": category.position}
    category.name, category.description, category.position = name, description, position
    after = {"name": name, "description": description, "position": position}
    if before != after:
        audit.record(admin, "community_category.updated", category, before=before, after=after)
        page_cache.changed()  # visitors' shared pages name the category
    return category
