"""Live readings as people use them: the request, the reader's alert, the room, the summary and
the transcript (docs/readings.md). The billing engine behind them is docs/billing.md."""

from flask import Blueprint

bp = Blueprint("readings", __name__)


@bp.record_once
def _listen(state):
    from soulseer.services.readings import publishing

    publishing.init_app(state.app)


from soulseer.blueprints.readings import views  # noqa: E402, F401
