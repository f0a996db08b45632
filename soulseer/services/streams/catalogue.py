"""The gift catalogue the admin keeps (L-7, Admin → Streams → Gifts): name, price, icon,
animation, whether it is offered, and its place in the tray.

A change never alters past gifts' money: a sent gift's row keeps the price paid and the reader's
part as the sale returned them (`stream_gifts`), the ledger holds the same, and the board and the
figures are summed from those rows. A viewer's tray carries the price it showed; a send at a price
changed since is refused (services/streams/gifts.py), so nobody pays what she was not shown.
Gifts are never deleted (sent gifts refer to them): one no longer offered is made inactive.
Every change is audit-logged (`gift.added`, `gift.changed`, with the fields before and after).
"""

from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from soulseer.errors import DomainError
from soulseer.extensions import db
from soulseer.models import Gift
from soulseer.money import price_between
from soulseer.services.core import audit

NAME_MAX = 40
PRICE_MIN, PRICE_MAX = 100, 100_000  # $1 to $1,000 (the table's CHECK allows 1 cent up)
POSITION_MAX = 999
ANIMATIONS = ("float", "burst", "spin", "rain")  # static/css/streams.css; the table's CHECK too
FIELDS = ("name", "price_cents", "icon", "animation", "active", "position")


class CatalogueError(DomainError):
    """A catalogue change refused; the message says why; nothing changed."""

    status = 422


def everything():
    """Every gift, offered or not, in the tray's order."""
    return list(db.session.execute(sa.select(Gift).order_by(Gift.position, Gift.id)).scalars())


def icons():
    """The icons a gift may have: the drawings in static/gifts/ (<name>.svg)."""
    folder = Path(current_app.static_folder) / "gifts"
    return sorted(path.stem for path in folder.glob("*.svg"))


def _clean(gift_id, name, price_text, icon, animation, position, active):
    name = " ".join((name or "").split())
    if not 1 <= len(name) <= NAME_MAX:
        raise CatalogueError(f"Give the gift a name of 1 to {NAME_MAX} characters.", field="name")
    taken = db.session.execute(
        sa.select(Gift.id).where(sa.func.lower(Gift.name) == name.lower(), Gift.id != (gift_id or 0))
    ).scalar()
    if taken is not None:
        raise CatalogueError(f"There is already a gift called {name}.", field="name")
    price = price_between(
        price_text, PRICE_MIN, PRICE_MAX, lambda message: CatalogueError(message, field="price"),
        "Enter the price in dollars, like 5 or 2.50.", "A gift costs from {low} to {high}.",
    )  # fmt: skip
    if icon not in icons():
        raise CatalogueError("Choose one of the icons.", field="icon")
    if animation not in ANIMATIONS:
        raise CatalogueError("Choose one of the animations.", field="animation")
    if not isinstance(position, int) or not 0 <= position <= POSITION_MAX:
        raise CatalogueError(f"The place in the tray is a number from 0 to {POSITION_MAX}.", field="position")
    return {"name": name, "price_cents": price, "icon": icon, "animation": animation,
            "active": bool(active), "position": position}  # fmt: skip


def _fields(gift):
    return {name: getattr(gift, name) for name in FIELDS}


def add(admin, name, price_text, icon, animation, position, active=True):
    """A new gift in the catalogue (the caller commits)."""
    gift = Gift(**_clean(None, name, price_text, icon, animation, position, active))
    db.session.add(gift)
    db.session.flush()
    audit.record(admin, "gift.added", gift, after=_fields(gift))
    return gift


def change(admin, gift_id, name, price_text, icon, animation, position, active):
    """Change a gift (the caller commits); the past gifts of it keep their money. A form sent back
    unchanged changes and logs nothing."""
    gift = db.session.execute(sa.select(Gift).filter_by(id=gift_id).with_for_update()).scalar_one_or_none()
    if gift is None:
        raise CatalogueError("There is no such gift.", status=404)
    after = _clean(gift.id, name, price_text, icon, animation, position, active)
    before = _fields(gift)
    if after == before:
        return gift
    for key, value in after.items():
        setattr(gift, key, value)
    audit.record(admin, "gift.changed", gift, before=before, after=after)
    return gift
