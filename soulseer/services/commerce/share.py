"""The reader's share (PRODUCT.md §3): the one place that says how much of a sale a reader keeps.

A reader keeps the platform's share setting (READER_SHARE_PERCENT, 70% by default) unless an admin
set an override on their profile. The platform as a seller keeps everything (share 0 to readers).
The rounding (the reader gets floor(amount × share), the platform the rest) is the ledger's
(`ledger.operations.split`), applied to every posting that pays a reader.
"""

from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from soulseer.extensions import db

PLATFORM = None  # the seller of what the platform sells itself (shop items, no reader)


def default_share_bps():
    return current_app.config["READER_SHARE_PERCENT"] * 100


def share_for(seller):
    """Basis points of a sale the seller keeps: a reader (User or their ReaderProfile), or PLATFORM."""
    from soulseer.models import ReaderProfile

    if seller is PLATFORM:
        return 0
    if isinstance(seller, ReaderProfile):
        override = seller.share_override_bp
    else:
        override = db.session.execute(
            sa.select(ReaderProfile.share_override_bp).filter_by(user_id=seller.id)
        ).scalar_one_or_none()
    return override if override is not None else default_share_bps()


def share_percent(bps):
    """Basis points as people read them: "70%", "72.5%"."""
    return f"{bps // 100}%" if bps % 100 == 0 else f"{Decimal(bps) / 100:.2f}".rstrip("0") + "%"
