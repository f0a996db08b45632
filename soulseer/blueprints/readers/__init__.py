"""The marketplace as clients see it: browse and search readers, a reader's page, favourites."""

from flask import Blueprint

bp = Blueprint("readers", __name__)


from soulseer.blueprints.readers import views  # noqa: E402, F401  (routes register on bp)
