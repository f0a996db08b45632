"""The admin moderation queue (F-7): one item per target, its flags and screening hits, decisions.

Order: urgent (self-harm) first, then score, then age (oldest first). An item open longer than
OVERDUE_AFTER is highlighted. Decisions — hide, restore, dismiss, warn or suspend the author (by
penalty steps: penalties.py), refund what was paid for it — are each audit-logged
(`moderation.<decision>` on the item, plus the change itself) in the caller's transaction; the
caller commits.
"""

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from soulseer import clock
from soulseer.extensions import db
from soulseer.ledger import keys, reads
from soulseer.models import Flag, ItemState, ModerationItem, UserStatus
from soulseer.money import format_cents
from soulseer.services import commerce
from soulseer.services.accounts import AccountError, admin_users
from soulseer.services.core import audit, notifications
from soulseer.services.moderation import items, kinds, penalties, visibility
from soulseer.services.moderation.items import ModerationError
from soulseer.services.payments import wallet

OVERDUE_AFTER = timedelta(hours=48)
PER_PAGE = 20


@dataclass
class Entry:
    """One queue item with what the list and the item page show."""

    item: ModerationItem
    kind: kinds.ContentKind | None
    target: object | None  # None when the content is gone (deleted with its account)
    flags: list
    open_flags: list

    @property
    def people(self):
        return [flag for flag in self.open_flags if not flag.automatic]

    @property
    def flagger_count(self):
        return len({flag.flagger_id for flag in self.people})

    @property
    def reasons(self):
        """{reason code: count} of the open flags, most frequent first."""
        counts = {}
        for flag in self.open_flags:
            counts[flag.reason] = counts.get(flag.reason, 0) + 1
        return dict(sorted(counts.items(), key=lambda pair: -pair[1]))

    @property
    def hits(self):
        return [hit for flag in self.open_flags if flag.automatic for hit in flag.hits]

    @property
    def overdue(self):
        return self.item.state == ItemState.OPEN and clock.now() - self.item.opened_at > OVERDUE_AFTER

    @property
    def title(self):
        if self.target is None or self.kind is None:
            return f"{self.item.kind} {self.item.target_id} (no longer exists)"
        return self.kind.describe(self.target) or f"{self.kind.label} {self.target.id}"


def _entry(item):
    kind = kinds.get(item.kind)
    target = kind.load(item.target_id) if kind else None
    open_flags = [flag for flag in item.flags if flag.state == ItemState.OPEN]
    return Entry(item=item, kind=kind, target=target, flags=list(item.flags), open_flags=open_flags)


def listing(state=ItemState.OPEN, kind=None, page=1, per_page=PER_PAGE):
    """A page of items in `state` (all states when empty), optionally of one kind, in queue order."""
    statement = sa.select(ModerationItem).options(selectinload(ModerationItem.flags).selectinload(Flag.hits))
    if state:
        statement = statement.where(ModerationItem.state == state)
    if kind:
        statement = statement.where(ModerationItem.kind == kind)
    if state == ItemState.OPEN:
        order = (ModerationItem.urgent.desc(), ModerationItem.score.desc(), ModerationItem.opened_at, ModerationItem.id)
    else:
        order = (sa.func.coalesce(ModerationItem.decided_at, ModerationItem.opened_at).desc(), ModerationItem.id.desc())
    pagination = db.paginate(statement.order_by(*order), page=page, per_page=per_page, error_out=False)
    pagination.entries = [_entry(item) for item in pagination.items]
    return pagination


def open_count():
    """Open items: the admin nav's badge and the overview's "open flags"."""
    return db.session.execute(
        sa.select(sa.func.count()).select_from(ModerationItem).where(ModerationItem.state == ItemState.OPEN)
    ).scalar_one()


def item_id_for(kind_name, target_id):
    """The queue item of a piece of content, if it was ever reported or screened (None otherwise)."""
    return db.session.execute(
        sa.select(ModerationItem.id).filter_by(kind=kind_name, target_id=target_id)
    ).scalar_one_or_none()


def entry(item_id):
    item = db.session.get(ModerationItem, item_id)
    return _entry(item) if item is not None else None


def _locked_item(item_id):
    item = db.session.execute(
        sa.select(ModerationItem).filter_by(id=item_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if item is None:
        raise ModerationError("There is no such item in the queue.", status=404)
    return item


def _record(admin, item, decision, reason):
    after = {"state": item.state, "kind": item.kind, "target_id": item.target_id}
    before = {"state": ItemState.OPEN.value}
    audit.record(admin, f"moderation.{decision}", item, before=before, after=after, reason=reason)


def hide(admin, item_id, reason):
    """Hide the item's content (audit `<kind>.hidden`); the item is actioned."""
    item = _locked_item(item_id)
    visibility.hide(item.kind, item.target_id, reason, admin)  # also actions the open item
    _record(admin, item, "hidden", reason)
    return item


def restore(admin, item_id, reason):
    """Show the item's content again (audit `<kind>.shown`); an open item is dismissed."""
    item = _locked_item(item_id)
    was_open = item.state == ItemState.OPEN
    visibility.restore(item.kind, item.target_id, reason, admin)
    _record(admin, item, "restored" if was_open else "restored_later", reason)
    return item


def dismiss(admin, item_id, reason=None):
    """The flags were not right: the item and its open flags are dismissed. Content that was hidden
    automatically is shown again; content an admin hid stays hidden."""
    reason = visibility.clean_reason(reason, required=False)
    item = _locked_item(item_id)
    if item.state != ItemState.OPEN:
        raise ModerationError("This item was already decided.", status=409)
    visibility.show_if_hidden_automatically(item.kind, item.target_id, admin, reason)
    items.decide(item, admin, ItemState.DISMISSED, "dismissed", reason)
    _record(admin, item, "dismissed", reason)
    return item


def refundable(entry):
    """Cents of the sale behind an entry's content still refundable (0: not sold, or all refunded)."""
    if entry.target is None or entry.kind is None or entry.kind.sale is None:
        return 0
    sale = entry.kind.sale(entry.target)
    return commerce.refundable(sale) if sale else 0


def refund(admin, item_id, reason):
    """Refund all that is left of the sale behind the item's content (a paid reply reported as not
    answering the question) through commerce, reversing the reader's and the platform's shares in
    proportion; the item is actioned. Deciding the same item again refunds nothing more."""
    reason = visibility.clean_reason(reason)
    item = _locked_item(item_id)
    entry = _entry(item)
    sale = entry.kind.sale(entry.target) if entry.target is not None and entry.kind and entry.kind.sale else None
    if sale is None:
        raise ModerationError("Nothing was paid for this, so there is nothing to refund.", status=409)
    amount = commerce.refundable(sale)
    if amount <= 0:
        raise ModerationError("This has been refunded in full already.", status=409)
    try:
        posted = commerce.refund(sale, amount, keys.refund(sale, f"moderation-{item.id}"), admin, reason)
    except commerce.RefundRefused as error:
        raise ModerationError(error.message, status=409) from None
    client_id = reads.sale(sale).client_id
    audit.record(
        admin, f"{item.kind}.refunded", entry.target, before={"refundable_cents": amount},
        after={"refunded_cents": amount, "ledger_transaction": posted.transaction_id}, reason=reason,
    )  # fmt: skip
    wallet.announce_balance(client_id, news=f"{format_cents(amount)} was refunded to your wallet.")
    if item.state == ItemState.OPEN:
        items.decide(item, admin, ItemState.ACTIONED, "refunded", reason)
    _record(admin, item, "refunded", reason)
    return item


def warn_author(admin, item_id, reason):
    """Warn the author (F-7): the reason reaches them in their notifications, linked to what they
    wrote; the content stays as it is and the item is actioned. Audit `user.warned`."""
    reason = visibility.clean_reason(reason)
    item = _locked_item(item_id)
    if item.author is None or item.author.status == UserStatus.DELETED:
        raise ModerationError("The author's account no longer exists.", status=409)
    if item.author_id == admin.id:
        raise ModerationError("This is your own content.", status=403)
    entry = _entry(item)
    link = entry.kind.link(entry.target) if entry.kind and entry.target is not None else None
    notifications.notify(item.author_id, "system", f"A warning from SoulSeer's moderators: {reason}", link)
    audit.record(admin, "user.warned", item.author, after={"item": item.id, "kind": item.kind}, reason=reason)
    if item.state == ItemState.OPEN:
        items.decide(item, admin, ItemState.ACTIONED, "warned", reason)
    _record(admin, item, "author_warned", reason)
    return item


def suspend_author(admin, item_id, reason, length=None):
    """Suspend the author's account (admin_users.suspend: every session ends) for `length` (a code
    of penalties.LENGTHS; by default the author's next penalty step); the item is actioned."""
    reason = visibility.clean_reason(reason)
    item = _locked_item(item_id)
    if item.author_id is None:
        raise ModerationError("The author's account no longer exists.", status=409)
    chosen = penalties.LENGTHS.get(length) if length else penalties.next_step(item.author_id)
    if chosen is None:
        raise ModerationError("Choose how long the suspension lasts.", field="length", status=422)
    until = clock.now() + chosen.duration if chosen.duration else None
    try:
        admin_users.suspend(admin, item.author_id, reason, until=until)
    except AccountError as error:
        status = 403 if isinstance(error, admin_users.OwnAccountRefused) else 409
        raise ModerationError(error.message, status=status) from None
    if item.state == ItemState.OPEN:
        items.decide(item, admin, ItemState.ACTIONED, "suspended", reason)
    _record(admin, item, "author_suspended", reason)
    return item
