"""Live streams (/live): the listing, a stream's page (the host's studio or the viewer's seat), its
chat, gifts, board, token and heartbeats (docs/streams.md)."""

from flask import Blueprint

bp = Blueprint("streams", __name__, url_prefix="/live")

from soulseer.blueprints.streams import views  # noqa: E402, F401
