"""Live streams and gifts (PRODUCT.md §6; docs/streams.md).

lifecycle.py   a reader's stream: scheduling, going live, ending; the /live listing
access.py      who may watch which stream, and their Agora token (host or audience)
viewers.py     who is watching (heartbeats in Redis), the viewer count and its peak
chat.py        the stream's chat: screened lines, removed by the reader
tickets.py     premium entry: held, then settled or released by the tick
reminders.py   "Remind me": notified 15 minutes before and at go-live
gifts.py       the catalogue, sending a gift through commerce, the top-gifters board
live.py        what open stream pages get over the event streams
moderation.py  the `stream_message` kind in the one moderation queue
restrictions.py  a viewer muted or banned for one stream
invitations.py   a private stream's invited clients
catalogue.py     the admin's editing of the gift catalogue
export.py        the person's streams in "export my data"
"""


def init_app(app):
    from soulseer.ledger import verify
    from soulseer.services.core import ticks
    from soulseer.services.streams import export, moderation  # noqa: F401  (export registers its section)

    moderation.register_kinds()
    ticks.register(app, "streams", tick)
    # A settled or released ticket's hold must be empty.
    verify.register_finished_holds(app, "ticket", "stream_tickets", ("settled", "released"))


def tick(now):
    """The streams' timed work, every tick: no-shows cancelled, tickets settled or released,
    reminders sent, viewer counts pushed. Returns the rows handled."""
    from soulseer.services.streams import reminders, tickets, viewers

    return tickets.cancel_no_shows(now) + tickets.settle_or_release(now) + reminders.send_soon(now) + viewers.tick(now)
