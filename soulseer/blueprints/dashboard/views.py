from flask import render_template
from flask_login import current_user

from soulseer import clock, signed_in_responses
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
    now = clock.now()
    recent = history.recent_for_client(current_user, RECENT_READINGS)
    upcoming, _ = booking.lists_for(current_user, now)
    rows = history.rows(recent)
    # Why each reading without a review cannot have one (None: it can), worked out once: the page
    # and its `until` both need it.
    why = {row.reading.id: reviews.why_no_review(current_user, row.reading, now) for row in rows if row.review is None}
    page = render_template(
        "dashboard/index.html",
        balance=wallet.balance(current_user),
        frozen=wallet.is_frozen(current_user),
        open_reading=room.open_reading_for(current_user),
        rows=rows,
        why_no_review=lambda reading: why[reading.id],
        online_favourites=favourites.online_favourites(current_user),
        upcoming_bookings=upcoming[:UPCOMING_BOOKINGS],
        names=booking.reader_names(upcoming[:UPCOMING_BOOKINGS]),
        zones=zones,
    )
    # Her dashboard may be given to her again before Flask (signed_in_responses.py) while her header
    # versions stand — her balance and wallet, her readings, bookings, reviews and favourites move
    # them (services/core/header_versions.py) — and the marketplace version (her favourites'
    # status, the readers' names), until the first moment something on it changes with time.
    signed_in_responses.keep_her_page(until=_same_until(upcoming, rows, why))
    return page


def _same_until(upcoming, rows, why):
    """Until when the page stays as it is with nothing committed: the first upcoming booking's end
    (it leaves the list, the next one comes in) and the close of each review still open to her
    ("Leave a review" becomes "closed"). None: nothing on it changes with time."""
    moments = [item.ends_at for item in upcoming]
    moments += [
        reviews.review_deadline(row.reading) for row in rows if row.reading.id in why and why[row.reading.id] is None
    ]
    return min((moment for moment in moments if moment is not None), default=None)
