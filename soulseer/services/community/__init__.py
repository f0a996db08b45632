"""The community (PRODUCT.md §8; docs/community.md): categories, threads, one-level replies.

rendering.py    Markdown to safe HTML (markdown-it-py, then nh3): F-3
writing.py      the sizes of what people write, the edit window, who may change what: F-2
limits.py       how often people may post: F-5 (the app's moving-window limiter)
categories.py   the categories with their counts; admins edit names, descriptions and order
threads.py      starting, listing, reading, editing and deleting threads
stewardship.py  what admins do to threads: pin, lock, move (and the lock five reports put)
replies.py      replies (one level), editing and deleting them
authors.py      how authors are shown (name, "Reader" badge and page, suspended, former member)
moderation.py   the two kinds of content the one moderation mechanism knows (docs/moderation.md)
export.py       the user's posts in "export my data"
live.py         open tabs hear of new replies (the event stream)
"""


def init_app(app):
    from soulseer.services.community import export  # noqa: F401  (registers its export section)
    from soulseer.services.community.moderation import register_kinds

    register_kinds()
