"""A client's favourite readers (PRODUCT.md §3), and their part of the data export."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import selectinload

from soulseer.extensions import db
from soulseer.models import Favourite, ReaderProfile
from soulseer.services.core.data_export import export_section, iso
from soulseer.services.marketplace.search import BROWSE_ORDER, listed_profiles

# Favourites --------------------------------------------------------------------------------


def is_favourite(client, profile):
    return (
        db.session.execute(
            sa.select(Favourite.client_id).filter_by(client_id=client.id, reader_profile_id=profile.id)
        ).first()
        is not None
    )


def set_favourite(client, profile, on):
    """Add or remove; safe to repeat (a double click changes nothing the second time)."""
    if on:
        db.session.execute(
            pg_insert(Favourite).values(client_id=client.id, reader_profile_id=profile.id).on_conflict_do_nothing()
        )
    else:
        db.session.execute(sa.delete(Favourite).filter_by(client_id=client.id, reader_profile_id=profile.id))
    return on


def favourites_of(client):
    """The client's favourite readers that are listed, online first."""
    return list(
        db.session.execute(
            listed_profiles()
            .join(Favourite, Favourite.reader_profile_id == ReaderProfile.id)
            .where(Favourite.client_id == client.id)
            .options(selectinload(ReaderProfile.specialties))
            .order_by(*BROWSE_ORDER)
        ).scalars()
    )


def online_favourites(client):
    """The client's favourite readers who are online now (the dashboard's shortcut to a reading)."""
    return [reader for reader in favourites_of(client) if reader.is_online]


@export_section("favourites")
def _export_favourites(user):
    rows = db.session.execute(
        sa.select(ReaderProfile.display_name, ReaderProfile.slug, Favourite.created_at)
        .join(Favourite, Favourite.reader_profile_id == ReaderProfile.id)
        .where(Favourite.client_id == user.id)
        .order_by(Favourite.created_at)
    )
    return [{"reader": name, "slug": slug, "added_at": iso(added)} for name, slug, added in rows]
