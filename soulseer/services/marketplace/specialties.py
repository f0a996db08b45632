"""The specialties list the admin keeps (Tarot, Astrology, ...), in its order, and its editing."""

from dataclasses import dataclass

import sqlalchemy as sa

from soulseer.extensions import db
from soulseer.models import Specialty
from soulseer.models.marketplace import reader_profile_specialties
from soulseer.services.accounts import AccountError, ChangeRefused
from soulseer.services.core import audit
from soulseer.services.marketplace.profiles import refresh_search_text

SPECIALTY_NAME_MAX = 60


# Reading the list --------------------------------------------------------------------------------


def specialties_in_order():
    return list(db.session.execute(sa.select(Specialty).order_by(Specialty.position, Specialty.id)).scalars())


@dataclass(frozen=True)
class SpecialtyChoice:
    id: int
    name: str


def specialty_choices():
    """[SpecialtyChoice] in the admin's order, for the browse form; read once per marketplace
    version (a specialty added, renamed, moved or removed moves it)."""
    from soulseer.services.marketplace import page_cache

    def load():
        rows = db.session.execute(sa.select(Specialty.id, Specialty.name).order_by(Specialty.position, Specialty.id))
        return [list(row) for row in rows]

    return [SpecialtyChoice(id, name) for id, name in page_cache.value("specialty-choices", load)]


# The specialties list (admin) ---------------------------------------------------------------


def _clean_specialty_name(name):
    name = " ".join((name or "").split())
    if not 2 <= len(name) <= SPECIALTY_NAME_MAX:
        raise AccountError(f"Enter a name of 2 to {SPECIALTY_NAME_MAX} characters.", "name")
    return name


def _name_taken(name, specialty_id=None):
    return (
        db.session.execute(
            sa.select(Specialty.id).where(
                sa.func.lower(Specialty.name) == name.lower(), Specialty.id != (specialty_id or 0)
            )
        ).first()
        is not None
    )


def add_specialty(admin, name):
    name = _clean_specialty_name(name)
    if _name_taken(name):
        raise AccountError("That specialty is already on the list.", "name")
    position = db.session.execute(sa.select(sa.func.coalesce(sa.func.max(Specialty.position), -1))).scalar_one() + 1
    specialty = Specialty(name=name, position=position)
    db.session.add(specialty)
    db.session.flush()
    audit.record(admin, "specialty.added", specialty, after={"name": name, "position": position})
    return specialty


def rename_specialty(admin, specialty, name):
    name = _clean_specialty_name(name)
    if name == specialty.name:
        raise AccountError("That is already its name.", "name")
    if _name_taken(name, specialty.id):
        raise AccountError("That specialty is already on the list.", "name")
    before = specialty.name
    specialty.name = name
    db.session.flush()
    used_by = sa.select(reader_profile_specialties.c.reader_profile_id).where(
        reader_profile_specialties.c.specialty_id == specialty.id
    )
    refresh_search_text(list(db.session.execute(used_by).scalars()))
    audit.record(admin, "specialty.renamed", specialty, before={"name": before}, after={"name": name})
    return specialty


def move_specialty(admin, specialty, direction):
    """Swap with the neighbour above (-1) or below (+1); positions are renumbered 0..n-1."""
    ordered = specialties_in_order()
    index = ordered.index(specialty)
    target = index + (1 if direction > 0 else -1)
    if not 0 <= target < len(ordered):
        raise AccountError("It is already at the " + ("bottom." if direction > 0 else "top."), None)
    before = [s.name for s in ordered]
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, item in enumerate(ordered):
        item.position = position
    audit.record(
        admin, "specialty.moved", specialty, before={"order": before}, after={"order": [s.name for s in ordered]}
    )


def specialty_usage():
    """{specialty id: number of reader profiles using it}."""
    rows = db.session.execute(
        sa.select(reader_profile_specialties.c.specialty_id, sa.func.count()).group_by(
            reader_profile_specialties.c.specialty_id
        )
    )
    return dict(rows.all())


def remove_specialty(admin, specialty):
    if specialty_usage().get(specialty.id):
        raise ChangeRefused("Readers list this specialty, so it cannot be removed. Rename it instead.")
    audit.record(admin, "specialty.removed", specialty, before={"name": specialty.name, "position": specialty.position})
    db.session.delete(specialty)
