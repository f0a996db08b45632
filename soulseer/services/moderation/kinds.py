"""The registry of content kinds: everything moderation needs to know about a kind of content.

One moderation mechanism serves every kind (PRODUCT.md §8). A kind says how to load an item, who
wrote it, what its text is, who can see it (and so may report it), where it is seen, how the admin
queue shows it in context, and what else changes when it is hidden or shown. An area plugs its
content in with one `register(ContentKind(...))` in its init_app (docs/moderation.md shows one).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa

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
class LinesAround:
    """The context of a line in a conversation (a reading's chat, a message thread, a stream's
    chat): the conversation itself and the lines just before and after the line, in order. The
    kind's partial gets them as `ctx.<name>` and `ctx.lines`."""

    parent: type  # the conversation's model: Reading, Conversation, Stream
    key: str  # the line's column naming its conversation: "reading_id"
    name: str  # what the partial calls the conversation: "reading"
    order: tuple[str, ...] = ("id",)  # the line's columns that put lines in order
    count: int = 5  # lines before and after

    def __call__(self, line):
        model = type(line)
        parent_id = getattr(line, self.key)
        columns = [getattr(model, column) for column in self.order]
        position, here = sa.tuple_(*columns), tuple(getattr(line, column) for column in self.order)
        lines = sa.select(model).where(getattr(model, self.key) == parent_id).limit(self.count)
        before = db.session.scalars(lines.where(position < here).order_by(*(column.desc() for column in columns)))
        after = db.session.scalars(lines.where(position > here).order_by(*columns))
        return {self.name: db.session.get(self.parent, parent_id), "lines": [*reversed(list(before)), line, *after]}


def _no_context(item):
    return {}


def sold_as(reference_type):
    """questioned_sales for content that is its own sale's ledger reference: (type, its id)."""
    return lambda target_ids: [(reference_type, target_ids)]


@dataclass(frozen=True)
class ContentKind:
    """How moderation handles one kind of content, declared once where the area registers it:
    how an item is looked up (`model`), who wrote it (`author`), what its text is (`fields`), who
    may see and so report it (`can_see`), where it is shown (`link`), how the queue shows it in
    context (`context` for the partial `template`), and what else follows hiding or restoring it
    (`hideable`, `on_visibility_change`). `model` is a Moderatable model (or any model when
    `hideable` is False: a user is suspended, not hidden)."""

    name: str  # in URLs, in the queue's filter, on moderation items: "review"
    label: str  # "Review"
    model: type  # items are loaded with db.session.get (locked when hiding)
    author: str | Callable[[object], int | None]  # the attribute with its author's user id, or author(item)
    fields: tuple[str, ...]  # its text fields: what screening reads, flags snapshot and the queue shows
    can_see: Callable[[object, object], bool]  # can_see(user, item): who may report it
    link: Callable[[object], str | None]  # where people see it (a path), for the queue
    context: Callable[[object], dict] = _no_context  # what the partial needs beyond `item` (LinesAround...)
    template: str = ""  # the queue's partial; "moderation/context/_<name>.html" when not given
    describe: Callable[[object], str] = field(default=lambda item: "")  # a short title in the queue
    hideable: bool = True
    on_visibility_change: Callable[[object], None] | None = None  # e.g. the reader's rating
    # After a person's flag is counted, under the item's lock: on_flagged(target). A community
    # thread closes when five trusted people reported it or its replies (F-8).
    on_flagged: Callable[[object], None] | None = None
    reasons: tuple[Reason, ...] = CONTENT_REASONS
    # Content a client paid for (a paid reply): its sale's ledger reference (type, id), or None when
    # nothing was paid. The queue then offers a refund through commerce (queue.refund).
    sale: Callable[[object], tuple | None] | None = None
    # Links to other sites are part of this content (the forum: at most two for a new account).
    # Screening still flags them for a moderator, but the writer is not told they broke a rule.
    links_allowed: bool = False
    # Content that was sold (a reading, a paid reply, a shop order): the sales an open item of it
    # questions, as SQL. Given a select of target ids, [(ledger reference type, select of reference
    # ids)]. While the item is open, its seller's earnings from those sales are held from payouts
    # (services/payouts/earnings.py), so a refund decided on it still finds them. `sold_as(type)`
    # for the usual case: the content is its own sale's reference.
    questioned_sales: Callable[[sa.Select], list[tuple[str, sa.Select]]] | None = None

    def __post_init__(self):
        if not self.template:  # kept by dataclasses.replace: a variant shows as its original
            object.__setattr__(self, "template", f"moderation/context/_{self.name}.html")

    def author_id(self, item):
        return self.author(item) if callable(self.author) else getattr(item, self.author)

    def texts(self, item):
        """{field: text}: what screening reads and a flag keeps as its snapshot."""
        return {name: getattr(item, name) or "" for name in self.fields}

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
