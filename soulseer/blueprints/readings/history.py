"""The client's history of readings (/readings/history); the reader's is reader/readings.py."""

from flask import render_template
from flask_login import current_user

from soulseer.blueprints.readings import bp
from soulseer.models import Role
from soulseer.services.readings import history, reviews
from soulseer.views import page_number, role_required


@bp.get("/readings/history")
@role_required(Role.CLIENT)
def client_history():
    results = history.client_history(current_user, page_number())
    return render_template(
        "readings/history.html",
        results=results,
        rows=history.rows(results.items),
        why_no_review=lambda reading: reviews.why_no_review(current_user, reading),
    )
