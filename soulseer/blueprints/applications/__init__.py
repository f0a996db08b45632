"""The public "Become a reader" application form."""

from flask import Blueprint

bp = Blueprint("applications", __name__)

from soulseer.blueprints.applications import views  # noqa: E402, F401  (routes register on bp)
