from flask import render_template
from flask_login import current_user

from soulseer.blueprints.dashboard import bp
from soulseer.models import Role
from soulseer.services.bookings import booking, zones
from soulseer.services.marketplace import favourites
from soulseer.services.payments import wallet
from soulseer.services.readings import history, reviews, room
from soulseer.views import role_required

RECENT_READINGS = 5
UPCOMING_BOOKINGS = 3


@bp.get("/dashboard")
@role_required(Role.CLIENT)
def index():
    recent = history.recent_for_client(current_user, RECENT_READINGS)
    upcoming, _ = booking.lists_for(current_user)
    return render_template(
        "dashboard/index.html",
        balance=wallet.balance(current_user),
        frozen=wallet.is_frozen(current_user),
        open_reading=room.open_reading_for(current_user),
        rows=history.rows(recent),
        why_no_review=lambda reading: reviews.why_no_review(current_user, reading),
        online_favourites=favourites.online_favourites(current_user),
        upcoming_bookings=upcoming[:UPCOMING_BOOKINGS],
        names=booking.reader_names(upcoming[:UPCOMING_BOOKINGS]),
        zones=zones,
    )
