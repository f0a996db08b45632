"""Histories of readings: the client's (/readings/history) and the reader's (/reader/readings)."""

from flask import Blueprint, render_template
from flask_login import current_user

from soulseer.models import Role
from soulseer.services.readings import history, reviews
from soulseer.views import page_number, role_required

bp = Blueprint("history", __name__)


@bp.app_context_processor
def _history_helpers():
    return {
        # For the reader dashboard's figures card (history/_reader_figures.html), computed on use.
        "reader_figures": lambda: history.reader_figures(current_user),
        "reviews_to_answer": lambda limit=3: reviews.to_answer(current_user.id, limit),
    }


@bp.get("/readings/history")
@role_required(Role.CLIENT)
def client_readings():
    results = history.client_history(current_user, page_number())
    return render_template(
        "history/client.html",
        results=results,
        rows=history.rows(results.items),
        can_review=lambda reading: reviews.can_review(current_user, reading),
    )


@bp.get("/reader/readings")
@role_required(Role.READER)
def reader_readings():
    results = history.reader_history(current_user, page_number())
    return render_template("history/reader.html", results=results, rows=history.rows(results.items))
