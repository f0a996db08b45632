"""Errors as a readable page, or as a fragment for HTMX requests; never a bare 500."""

import time

from flask import Blueprint, render_template
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from soulseer.extensions import db, htmx, limiter

bp = Blueprint("errors", __name__)

MESSAGES = {
    400: ("Something was wrong with that request", "Please go back, reload the page and try again."),
    403: ("Not allowed", "You do not have access to this."),
    404: ("Not found", "We could not find what you were looking for."),
    405: ("Not allowed", "That action is not available here."),
    410: ("No longer available", "This link has expired or has been used up."),
    413: ("Too large", "That upload is larger than we accept."),
    429: ("Slow down", "Too many attempts. Please wait a little and try again."),
    500: ("Something went wrong on our side", "Nothing was changed. Please try again in a moment."),
}


def render_error(code, detail=None):
    title, message = MESSAGES.get(code, (f"Error {code}", "Please try again."))
    template = "errors/_error.html" if htmx else "errors/error.html"
    return render_template(template, code=code, title=title, message=detail or message), code


@bp.app_errorhandler(CSRFError)
def csrf_error(error):
    return render_error(400, "This form has expired or was not sent from SoulSeer. Reload the page and try again.")


@bp.app_errorhandler(RateLimitExceeded)
def rate_limited(error):
    """429 with when to try again (the Retry-After header says the same, in seconds)."""
    current = limiter.current_limit
    # The limiter keeps real time (not the injectable clock).
    wait = max(1, int(current.reset_at - time.time())) if current else 60
    minutes = max(1, round(wait / 60))
    when = f"{wait} seconds" if wait < 90 else f"{minutes} minute{'s' if minutes != 1 else ''}"
    response, code = render_error(429, f"Too many attempts. Please try again in {when}.")
    return response, code, {"Retry-After": str(wait)}


@bp.app_errorhandler(HTTPException)
def http_error(error):
    if error.code is None or error.code < 400:
        return error
    return render_error(error.code)


@bp.app_errorhandler(InternalServerError)
def internal_error(error):
    db.session.rollback()
    return render_error(500)
