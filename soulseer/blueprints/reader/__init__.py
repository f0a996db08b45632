"""The reader's own area under /reader: the dashboard, their profile and status, the history of
their readings and the reviews to answer. Readers only."""

from flask import Blueprint

from soulseer.models import Role
from soulseer.views import role_required

bp = Blueprint("reader", __name__, url_prefix="/reader")


@bp.before_request
@role_required(Role.READER)
def readers_only():
    """Every page here is for readers: others get 403, visitors are sent to sign in."""
    return None


from soulseer.blueprints.reader import availability, payouts, products, readings, reviews, status, streams, views  # noqa: E402, F401  (routes register on bp)
