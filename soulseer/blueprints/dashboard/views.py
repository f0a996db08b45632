from flask import render_template, request
from flask_login import current_user

from soulseer import clock
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
    page = render_template(
        "dashboard/index.html",
        balance=wallet.balance(current_user),
        frozen=wallet.is_frozen(current_user),
        open_reading=room.open_reading_for(current_user),
        rows=rows,
        why_no_review=lambda reading: reviews.why_no_review(current_user, reading, now),
        online_favourites=favourites.online_favourites(current_user),
        upcoming_bookings=upcoming[:UPCOMING_BOOKINGS],
        names=booking.reader_names(upcoming[:UPCOMING_BOOKINGS]),
        zones=zones,
    )
    if not request.query_string:
        _keep_for_her(_same_until(upcoming, rows, now))
    return page


def _same_until(upcoming, rows, now):
    """Until when the page drawn at `now` stays as it is with nothing committed: the first upcoming
    booking's end (it leaves the list, the next one comes in) and the close of each review still
    open to her ("Leave a review" becomes "closed"). None: nothing on it changes with time."""
    moments = [item.ends_at for item in upcoming]
    moments += [
        reviews.review_deadline(row.reading)
        for row in rows
        if row.review is None and reviews.why_no_review(current_user, row.reading, now) is None
    ]
    return min((moment for moment in moments if moment is not None), default=None)


def _keep_for_her(until):
    """Her dashboard may be given to her again before Flask (signed_in_responses.py) while her header
    versions stand — her balance and wallet, her readings, bookings, reviews and favourites move them
    (services/core/header_versions.py) — and the marketplace version (her favourites' status, the
    readers' names), until the first moment something on it changes with time."""
    from soulseer import signed_in_responses

    signed_in_responses.mark_shareable(request.environ, "", current_user, until=until)
