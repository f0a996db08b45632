"""The registry of content kinds: everything moderation needs to know about a kind of content.

One moderation mechanism serves every kind (PRODUCT.md §8). A kind says how to load an item, who
wrote it, what its text is, who can see it (and so may report it), where it is seen, how the admin
queue shows it in context, and what else changes when it is hidden or shown. An area plugs its
content in with one `register(ContentKind(...))` in its init_app (docs/moderation.md shows one).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from soulseer.extensions import db


@dataclass(frozen=True)
class Reason:
    code: str
    label: str


# F-6: why a person reports content. The code is stored on the flag.
CONTENT_REASONS = (
    Reason("spam", "Spam or advertising"),
    Reason("inappropriate", "Rude, hateful or inappropriate"),
    Reason("off_platform", "Contact details or payment outside SoulSeer"),
    Reason("false_claims", "Guaranteed results or curse-removal offers"),
    Reason("self_harm", "Someone may be at risk of harming themselves"),
    Reason("illegal", "Something illegal"),
    Reason("other", "Something else"),
)
# "Report a problem" with a finished reading: what went wrong, then the content reasons.
READING_REASONS = (
    Reason("technical", "A technical problem (connection, sound, video)"),
    Reason("not_delivered", "The reader did not really read"),
    Reason("billing", "I was charged wrongly"),
    *CONTENT_REASONS,
)
# "Report this paid reply" (next-areas.md §3 M-5), open to its client 72 h after unlocking.
PAID_REPLY_REASONS = (
    Reason("not_answered", "It did not answer my question"),
    *CONTENT_REASONS,
)
# "Report a problem with this order" (a shop order, by its buyer): what went wrong.
ORDER_REASONS = (
    Reason("not_received", "It has not arrived"),
    Reason("damaged", "It arrived damaged or is not what was ordered"),
    Reason("file_problem", "The download does not work"),
    Reason("not_as_described", "It is not what its page described"),
    *(reason for reason in CONTENT_REASONS if reason.code in ("illegal", "other")),
)
REASON_LABELS = {reason.code: reason.label for reason in (*READING_REASONS, *PAID_REPLY_REASONS, *ORDER_REASONS)}


@dataclass(frozen=True)
class ContentKind:
    """How moderation handles one kind of content. `model` is a Moderatable model (or any model
    when `hideable` is False: a user is suspended, not hidden)."""

    name: str  # in URLs, in the queue's filter, on moderation items: "review"
    label: str  # "Review"
    model: type
    author_id: Callable[[object], int | None]  # whose content it is (None: nobody's)
    texts: Callable[[object], dict[str, str]]  # {field: text}: what screening reads and flags keep
    can_see: Callable[[object, object], bool]  # can_see(user, item): who may report it
    link: Callable[[object], str | None]  # where people see it (a path), for the queue
    context_template: str  # the queue's partial that shows the item in context
    context: Callable[[object], dict] = lambda item: {}  # what that partial needs beyond `item`
    on_visibility_change: Callable[[object], None] | None = None  # e.g. the reader's rating
    # After a person's flag is counted, under the item's lock: on_flagged(target). A community
    # thread closes when five trusted people reported it or its replies (F-8).
    on_flagged: Callable[[object], None] | None = None
    hideable: bool = True
    reasons: tuple[Reason, ...] = CONTENT_REASONS
    describe: Callable[[object], str] = field(default=lambda item: "")  # a short title in the queue
    # Content a client paid for (a paid reply): its sale's ledger reference (type, id), or None when
    # nothing was paid. The queue then offers a refund through commerce (queue.refund).
    sale: Callable[[object], tuple | None] | None = None

    def load(self, target_id, lock=False):
        if lock:
            return db.session.get(self.model, target_id, with_for_update=True, populate_existing=True)
        return db.session.get(self.model, target_id)

    def reason_codes(self):
        return {reason.code for reason in self.reasons}


_KINDS: dict[str, ContentKind] = {}


def register(kind):
    """Add (or replace, on a second app in the same process) a kind of content."""
    _KINDS[kind.name] = kind
    return kind


def get(name):
    """The kind called `name`, or None."""
    return _KINDS.get(name)


def all_kinds():
    return list(_KINDS.values())
