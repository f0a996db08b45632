"""Messages and paid replies between a client and a reader (PRODUCT.md §7; docs/messages.md).

conversations.py  one conversation per client–reader pair: who may start one, the inbox, a thread
sending.py        writing a message: its rules, screening, the recipient's notification and live copy
unread.py         read positions (message ids, never times), unread counts, marking read
live.py           what the recipient's open tabs get over the event stream
moderation.py     the `message` kind in the one moderation queue
export.py         the conversations in "export my data"
"""


def init_app(app):
    from soulseer.services.messages import export, moderation  # noqa: F401  (export registers its section)

    moderation.register_kinds()
