"""Hiding and showing content: the one way any Moderatable row is hidden or shown again.

`hide(kind, id, reason, admin)` and `restore(kind, id, reason, admin)` are what admins use (the
queue, the reading's record page, the reader profile page); `hide_automatically` is what flags do
(F-8). Each writes the audit entry `<kind>.hidden` / `<kind>.shown` (actor NULL: the system) in the
caller's transaction, runs the kind's `on_visibility_change` (a review's rating), and, when an admin
acts on content that has an open queue item, decides that item too. The caller commits.
"""

from soulseer import clock
from soulseer.models import ItemState
from soulseer.models.moderation import HIDDEN_REASON_MAX
from soulseer.services.core import audit
from soulseer.services.moderation import items
from soulseer.services.moderation.items import ModerationError

REASON_MIN = 5
AUTO_HIDE_REASON = "Reported by several people; hidden until an admin decides."


def clean_reason(reason, required=True):
    reason = (reason or "").strip()
    if not reason and not required:
        return None
    if not REASON_MIN <= len(reason) <= HIDDEN_REASON_MAX:
        raise ModerationError(f"Give a reason of {REASON_MIN} to {HIDDEN_REASON_MAX} characters.", field="reason")
    return reason


def _locked(kind_name, target_id):
    """The kind, the target's item (locked, if there is one) and the target (locked)."""
    kind = items.kind_named(kind_name)
    if not kind.hideable:
        raise ModerationError(f"A {kind.label.lower()} cannot be hidden.", status=409)
    item = items.lock(kind.name, target_id, create=False)
    target = kind.load(target_id, lock=True)
    if target is None:
        raise ModerationError(f"There is no such {kind.label.lower()}.", status=404)
    return kind, item, target


def _state(target):
    return {"visible": target.visible, "hidden_reason": target.hidden_reason, "automatic": target.hidden_automatically}


def _set(kind, target, actor, reason, hidden):
    before = _state(target)
    if hidden:
        target.hidden_at = clock.now() if target.hidden_at is None else target.hidden_at
        target.hidden_reason = reason
        target.hidden_by_id = actor.id if actor else None
    else:
        target.hidden_at = target.hidden_reason = target.hidden_by_id = None
    after = _state(target)
    action = f"{kind.name}.{'hidden' if hidden else 'shown'}"
    audit.record(actor, action, target, before=before, after=after, reason=reason)
    if kind.on_visibility_change:
        kind.on_visibility_change(target)


def hide(kind_name, target_id, reason, admin):
    """An admin hides content, with a reason (5–500 characters). Content hidden automatically is
    then hidden by the admin's decision. An open queue item on it is actioned."""
    reason = clean_reason(reason)
    kind, item, target = _locked(kind_name, target_id)
    if target.hidden and not target.hidden_automatically:
        raise ModerationError(f"This {kind.label.lower()} is already hidden.", status=409)
    _set(kind, target, admin, reason, hidden=True)
    if item is not None and item.state == ItemState.OPEN:
        items.decide(item, admin, ItemState.ACTIONED, "hidden", reason)
    return target


def hide_for_space(kind_name, target_id, reason, keeper):
    """The keeper of a space hides a line in it (a stream's reader removing a chat line): hidden
    like an admin's hide, audit-logged with the keeper as actor, but an open queue item on it stays
    open, since screening's findings (self-harm language) are for an admin to decide."""
    kind, item, target = _locked(kind_name, target_id)
    if target.hidden:
        return target
    _set(kind, target, keeper, clean_reason(reason), hidden=True)
    return target


def restore(kind_name, target_id, reason, admin):
    """An admin shows hidden content again, with a reason. An open queue item on it is dismissed."""
    reason = clean_reason(reason)
    kind, item, target = _locked(kind_name, target_id)
    if not target.hidden:
        raise ModerationError(f"This {kind.label.lower()} is not hidden.", status=409)
    _set(kind, target, admin, reason, hidden=False)
    if item is not None and item.state == ItemState.OPEN:
        items.decide(item, admin, ItemState.DISMISSED, "restored", reason)
    return target


def hide_automatically(kind, target):
    """F-8: enough trusted people flagged it. The caller holds the item's lock and the target's."""
    if kind.hideable and not target.hidden:
        _set(kind, target, None, AUTO_HIDE_REASON, hidden=True)
        return True
    return False


def show_if_hidden_automatically(kind_name, target_id, admin, reason=None):
    """The admin dismissed the flags that hid it (F-8): shown again. An admin's hide stays."""
    kind = items.kind_named(kind_name)
    target = kind.load(target_id, lock=True) if kind.hideable else None
    if target is not None and target.hidden_automatically:
        _set(kind, target, admin, reason, hidden=False)
