"""The client's dashboard (/dashboard, PRODUCT.md §11): the wallet, the reading in progress, recent
readings with their transcripts and review status, favourites online now. Readers have theirs at
/reader, admins at /admin. docs/dashboard.md."""

from flask import Blueprint, url_for
from flask_login import current_user

from soulseer.models import Role

bp = Blueprint("dashboard", __name__)

# Each role's dashboard and history of readings: the bottom bar and the top navigation link both.
ROLE_PLACES = {
    Role.CLIENT: ("dashboard.index", "readings.client_history"),
    Role.READER: ("reader.dashboard", "reader.readings"),
    Role.ADMIN: ("admin.overview.index", "admin.readings.index"),
}


@bp.app_context_processor
def own_places():
    """`own_places`: (dashboard URL, history URL, the endpoints of both) for the signed-in person, else None."""
    places = ROLE_PLACES.get(current_user.role) if current_user and current_user.is_authenticated else None
    if places is None:
        return {"own_places": None}
    dashboard, history = places
    return {"own_places": {"dashboard": url_for(dashboard), "history": url_for(history), "endpoints": places}}


from soulseer.blueprints.dashboard import views  # noqa: E402, F401  (routes register on bp)
