"""Live readings as people use them: the request, the reader's alert, the room, the summary, the
transcript (views.py), the client's review (review.py) and the client's history (history.py);
docs/readings.md, docs/reviews.md. The billing engine behind them is docs/billing.md. The
reader's side of their readings (history, reviews to answer) is the `reader` blueprint."""

from flask import Blueprint

bp = Blueprint("readings", __name__)


@bp.record_once
def _listen(state):
    from soulseer.services.readings import publishing

    publishing.init_app(state.app)


@bp.app_template_filter("reading_duration")
def reading_duration(seconds):
    """Metered seconds as M:SS (or H:MM:SS)."""
    from soulseer.services.readings.history import duration

    return duration(seconds)


from soulseer.blueprints.readings import history, review, views  # noqa: E402, F401  (routes register on bp)
