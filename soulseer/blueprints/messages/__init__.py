"""Messages (/messages): the inbox, a conversation's thread, writing (docs/messages.md)."""

from flask import Blueprint

bp = Blueprint("messages", __name__, url_prefix="/messages")

from soulseer.blueprints.messages import views  # noqa: E402, F401
