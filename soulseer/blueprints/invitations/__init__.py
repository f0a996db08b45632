"""Invitation links: an invited reader (or admin) sets a password and accepts the agreements."""

from flask import Blueprint

bp = Blueprint("invitations", __name__)

from soulseer.blueprints.invitations import views  # noqa: E402, F401  (routes register on bp)
