"""Histories of readings: the client's (/readings/history) and the reader's (/reader/readings)."""

from flask import Blueprint, current_app, render_template, url_for
from flask_login import current_user

from soulseer.models import Role
from soulseer.services import reading_history, reviews
from soulseer.views import page_number, role_required

bp = Blueprint("history", __name__)


# The live-readings area owns the transcript page; link to it once it exists.
TRANSCRIPT_ENDPOINTS = ("readings.transcript", "readings.summary")


def transcript_url(reading):
    for endpoint in TRANSCRIPT_ENDPOINTS:
        if endpoint in current_app.view_functions:
            return url_for(endpoint, reading_id=reading.id)
    return None


def reader_page_url(slug):
    """The marketplace's reader page, when that area is installed."""
    if slug and "readers.show" in current_app.view_functions:
        return url_for("readers.show", slug=slug)
    return None


def browse_url():
    return url_for("readers.browse") if "readers.browse" in current_app.view_functions else None


@bp.app_context_processor
def _history_helpers():
    return {
        "transcript_url": transcript_url,
        "reader_page_url": reader_page_url,
        "browse_url": browse_url,
        # For the reader dashboard's figures card (history/_reader_figures.html), computed on use.
        "reader_figures": lambda: reading_history.reader_figures(current_user),
        "reviews_to_answer": lambda limit=3: reviews.to_answer(current_user.id, limit),
    }


@bp.get("/readings/history")
@role_required(Role.CLIENT)
def client_readings():
    results = reading_history.client_history(current_user, page_number())
    return render_template(
        "history/client.html",
        results=results,
        rows=reading_history.rows(results.items),
        can_review=lambda reading: reviews.can_review(current_user, reading),
    )


@bp.get("/reader/readings")
@role_required(Role.READER)
def reader_readings():
    results = reading_history.reader_history(current_user, page_number())
    return render_template("history/reader.html", results=results, rows=reading_history.rows(results.items))
