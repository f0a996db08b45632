"""Live streams and gifts (PRODUCT.md §6; docs/streams.md).

lifecycle.py   a reader's stream: scheduling, going live, ending; the /live listing
access.py      who may watch which stream, and their Agora token (host or audience)
viewers.py     who is watching (heartbeats in Redis), the viewer count and its peak
chat.py        the stream's chat: screened lines, removed by the reader
gifts.py       the catalogue, sending a gift through commerce, the top-gifters board
live.py        what open stream pages get over the event streams
moderation.py  the `stream_message` kind in the one moderation queue
"""


def init_app(app):
    from soulseer.services.core import ticks
    from soulseer.services.streams import moderation, viewers

    moderation.register_kinds()
    ticks.register(app, "streams", viewers.tick)
