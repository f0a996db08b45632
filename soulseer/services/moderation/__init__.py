"""Moderation: one mechanism for every kind of content (PRODUCT.md §8; docs/moderation.md).

screening.py    automatic screening of what people write (normalise.py first)
kinds.py        the registry of content kinds (how to load, author, text, context, hide)
builtin_kinds   the kinds moderated today: reviews, reader profiles, chat lines, readings, users
items.py        the queue's one item per target, its lock and its score
flags.py        people's reports, their limits, and auto-hide
visibility.py   hiding and showing content again (the only place that does)
queue.py        the admin queue: listing, one item, decisions
"""


def init_app(app):
    from soulseer.services.moderation.builtin_kinds import register_builtin_kinds

    register_builtin_kinds()
