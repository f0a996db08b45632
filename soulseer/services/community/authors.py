"""How the community shows who wrote something: the display name; readers with a "Reader" badge
linking to their page when it is listed; a suspended account's posts stay, marked; a deleted
account's posts stay under "Deleted user" (accounts.delete_account renames it) and a row that is
gone entirely reads "A former member". One query for a whole page of posts."""

from dataclasses import dataclass

import sqlalchemy as sa

from soulseer.extensions import db
from soulseer.models import ReaderProfile, Role, User, UserStatus


@dataclass(frozen=True)
class Author:
    name: str
    reader_slug: str | None = None  # a listed reader: the badge links to their page
    is_reader: bool = False
    is_admin: bool = False
    suspended: bool = False


FORMER_MEMBER = Author("A former member")


def authors(user_ids):
    """{user id: Author} for these ids (missing ids read as FORMER_MEMBER through `of`)."""
    ids = {user_id for user_id in user_ids if user_id is not None}
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(User.id, User.display_name, User.role, User.status, ReaderProfile.slug, ReaderProfile.hidden_at)
        .outerjoin(ReaderProfile, ReaderProfile.user_id == User.id)
        .where(User.id.in_(ids))
    )
    found = {}
    for user_id, name, role, status, slug, profile_hidden_at in rows:
        listed = role == Role.READER and status == UserStatus.ACTIVE and slug and profile_hidden_at is None
        found[user_id] = Author(
            name=name,
            reader_slug=slug if listed else None,
            is_reader=role == Role.READER,
            is_admin=role == Role.ADMIN,
            suspended=status == UserStatus.SUSPENDED,
        )
    return found


def of(found, user_id):
    return found.get(user_id, FORMER_MEMBER)


def name_of(user_id):
    return of(authors([user_id]), user_id).name
