"""Reviews: the client's review form for a reading, the reader's answers (docs/reviews.md)."""

from flask import Blueprint

bp = Blueprint("reviews", __name__)

from soulseer.blueprints.reviews import views  # noqa: E402, F401  (routes register on bp)
