"""Digital delivery (next-areas.md SH-5): each paid digital item gets a grant of
DOWNLOAD_LINK_MAX_USES downloads (5) within DOWNLOAD_LINK_HOURS (24 h) of the first download —
the window starts at the first download, so nobody loses a purchase by not clicking in time.

The server counts: `download()` checks that the order is the buyer's, paid and not refunded, then
takes one download with a single conditional UPDATE (two clicks at once cannot both take the
last), and only then hands out a link that works for LINK_SECONDS (5 minutes): a presigned GET on
S3/R2, a signed token locally. A presigned URL cannot count, and browsers make Range and HEAD
requests on it: those are free, the app's endpoint is what counts. An admin may issue a fresh
grant; a refund revokes the item's grant.
"""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from soulseer import clock
from soulseer.extensions import db
from soulseer.models import DownloadGrant, Order, OrderItem, PaymentStatus, ProductKind
from soulseer.services.core import audit
from soulseer.services.core.storage import storage
from soulseer.services.shop.errors import ShopError

LINK_SECONDS = 300


class DownloadGone(ShopError):
    """The grant is used up, past its window or revoked by a refund: a readable 410 page."""

    status = 410


def allowed():
    return current_app.config["DOWNLOAD_LINK_MAX_USES"]


def window():
    return timedelta(hours=current_app.config["DOWNLOAD_LINK_HOURS"])


def issue_grants(order):
    """A grant for each digital item of a paid order (once: an item with a grant in force keeps it)."""
    db.session.flush()  # the items' ids
    for item in order.items:
        if item.kind == ProductKind.DIGITAL and item.grant is None:
            db.session.add(DownloadGrant(order_item_id=item.id, allowed=allowed()))
    db.session.flush()
    for item in order.items:
        if item.kind == ProductKind.DIGITAL:
            db.session.refresh(item, ["grants"])


def _item(buyer, order_id, item_id):
    """The buyer's own digital item, or 404 (another person's order is as good as missing)."""
    row = db.session.execute(
        sa.select(OrderItem, Order)
        .join(Order, Order.id == OrderItem.order_id)
        .where(OrderItem.id == item_id, Order.id == order_id)
    ).first()
    if row is None or row.Order.buyer_id != buyer.id or row.OrderItem.kind != ProductKind.DIGITAL:
        raise ShopError("There is no such download.", status=404)
    return row.OrderItem, row.Order


def _refunded(item, order):
    return order.payment_status == PaymentStatus.REFUNDED or item.refunded_cents >= item.line_cents


def download(buyer, order_id, item_id):
    """Count one download of the buyer's item and return the short-lived link to the file.
    Raises ShopError (404: not theirs, not paid) or DownloadGone (410: refunded, used up, window
    over). The caller commits the count before sending the buyer to the link."""
    item, order = _item(buyer, order_id, item_id)
    if _refunded(item, order):
        raise DownloadGone("This order was refunded, so its download is no longer available.")
    if not order.paid:
        raise ShopError("There is no such download.", status=404)
    grant = item.grant
    if grant is None:
        raise DownloadGone("This download is no longer available.")
    now = clock.now()
    used = db.session.execute(
        sa.update(DownloadGrant)
        .where(
            DownloadGrant.id == grant.id,
            DownloadGrant.revoked_at.is_(None),
            DownloadGrant.used < DownloadGrant.allowed,
            sa.or_(DownloadGrant.expires_at.is_(None), DownloadGrant.expires_at > now),
        )
        .values(
            used=DownloadGrant.used + 1,
            first_used_at=sa.func.coalesce(DownloadGrant.first_used_at, now),
            expires_at=sa.func.coalesce(DownloadGrant.expires_at, now + window()),
            last_used_at=now,
        )
        .returning(DownloadGrant.used)
    ).scalar_one_or_none()
    if used is None:
        db.session.refresh(grant)
        if grant.used >= grant.allowed:
            raise DownloadGone(f"You have downloaded this {grant.allowed} times, the most one purchase allows.")
        raise DownloadGone("The download window of this purchase has closed (it opens at the first download).")
    product = item.product
    if not product.file_key:
        raise DownloadGone("This file is no longer available.")
    return storage().download_url(product.file_key, product.file_name, product.file_type, LINK_SECONDS)


def state(grant, now=None):
    """What the orders page says about a grant: (downloads left, closes at or None, usable)."""
    now = now or clock.now()
    if grant is None:
        return 0, None, False
    open_window = grant.expires_at is None or grant.expires_at > now
    return grant.left, grant.expires_at, grant.left > 0 and open_window and grant.revoked_at is None


def fresh_grant(admin, item_id, reason):
    """An admin gives the buyer a new grant (the earlier one stops counting). Paid items only."""
    item = db.session.get(OrderItem, item_id)
    if item is None or item.kind != ProductKind.DIGITAL:
        raise ShopError("There is no such digital item.", status=404)
    order = item.order
    if not order.paid or _refunded(item, order):
        raise ShopError("Only a paid item that was not refunded can get a fresh download grant.", status=409)
    now = clock.now()
    current = item.grant
    if current is not None:
        current.revoked_at = now
        db.session.flush()
    grant = DownloadGrant(order_item_id=item.id, allowed=allowed())
    db.session.add(grant)
    audit.record(admin, "shop.download_regranted", order, after={"item": item.id}, reason=reason)
    db.session.flush()
    db.session.refresh(item, ["grants"])
    return grant


def revoke(item):
    """A refunded item's grant stops working."""
    grant = item.grant
    if grant is not None:
        grant.revoked_at = clock.now()
