"""Small helpers the views share."""

import functools
from urllib.parse import urlsplit

from flask import abort, g, make_response, render_template, request
from flask_login import current_user, login_required
from werkzeug.routing import IntegerConverter

from soulseer.extensions import db, htmx


def _piece_asked():
    """HTMX asks for a piece of the page (a boosted link or form wants the whole page)."""
    return bool(htmx and not htmx.boosted)


def render(template, fragment=None, **context):
    """The full page, or only its `_fragment.html` partial when HTMX asks for a piece of it."""
    if fragment and _piece_asked():
        return render_template(fragment, **context)
    return render_template(template, **context)


def role_required(*roles):
    """Signed-in users with one of `roles`; others get 403 (anonymous visitors are sent to sign in)."""

    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def form_error(form, error, field_names=None):
    """Put a DomainError's message on its field (`field_names` maps the service's name to the
    form's where they differ), or on the form as a whole."""
    field_name = (field_names or {}).get(error.field, error.field)
    field = getattr(form, field_name, None) if field_name else None
    if field is not None:
        field.errors = [*field.errors, error.message] if isinstance(field.errors, list) else [error.message]
    else:
        form.form_errors.append(error.message)


def refused(error, page=None, form=None, /, *, fragment=None, field_names=None, swap_errors=False, **context):
    """The answer to a refusal (a DomainError, soulseer/errors.py): the one way views give it.

    Rolls back what this request wrote, puts the message on `form` (its field, or the form as a
    whole; `field_names` as for form_error), and renders `page` with `context`, answered with
    `error.status` (and Retry-After when the error has it). `page` is a template name, or the
    view's page function, called as page(status=error.status, **context) after the rollback so
    that what it reads is what is stored; it returns (body, status) as a view does. When HTMX asks
    for a piece, `fragment` is rendered instead, answered 200 because HTMX swaps only 2xx answers
    (static/js/app.js) unless its slot has [data-swap-errors] (`swap_errors=True`). Without a
    page: the message as plain text. `page` and `form` are positional so that `form=` and `page=`
    can be context. The message is not added to `context`: a page showing it outside a form names it.
    """
    db.session.rollback()
    if form is not None:
        form_error(form, error, field_names)
    if fragment and _piece_asked():
        response = make_response(render_template(fragment, **context), error.status if swap_errors else 200)
    elif page is None:
        response = make_response(error.message, error.status, {"Content-Type": "text/plain; charset=utf-8"})
    elif callable(page):
        response = make_response(page(status=error.status, **context))
    else:
        response = make_response(render_template(page, **context), error.status)
    if error.retry_after:
        response.headers["Retry-After"] = str(int(error.retry_after))
    return response


def commit_keeping_what_was_read():
    """Commit, leaving what this request loaded and wrote as it is in memory, so that an answer
    drawn from it (a form's fragment: the rows it just showed and wrote) reads none of them again.
    SQLAlchemy otherwise expires every loaded row at the commit, and each one the answer touches
    is a statement (the gift tray: the user, the stream, the catalogue and the gift sent, four
    round trips, each of which waits its turn in a busy worker). Only for answers that show what
    this request itself read or wrote; a page that must show others' changes since reads afresh."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def safe_next_url(target):
    """Only a path on this site (never another host, never a scheme-relative //host)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


# The largest number PostgreSQL's `integer` holds. Every id a route, a query or a form names is
# one (the ledger's bigint entries are never named there); a bigger number names nothing, and
# sent to the database it would be refused there (a 500).
ID_MAX = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:...>` in every route (create_app installs it as `int`): 1 to ID_MAX, so a number past
    the database's range matches no route, a 404 like any id that names nothing. Ten digits at most
    in the path itself: a longer number then matches no route's path at all. (Werkzeug checks the
    range after choosing a rule, so a ten-digit POST past ID_MAX to a path that also has a GET
    route is a 405, still refused before any view.)"""

    regex = r"\d{1,10}"

    def __init__(self, map, fixed_digits=0, min=1, max=ID_MAX, signed=False):  # noqa: A002 (werkzeug's names)
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def id_number(value):
    """A query or form value as an id, for `request.args.get(name, type=id_number)`: 1 to ID_MAX,
    else ValueError, so that get() answers its default (None) as for any malformed value."""
    number = int(value)
    if not 1 <= number <= ID_MAX:
        raise ValueError(f"{value!r} is not an id")
    return number


def page_number():
    """The `page` query argument as a page number (1 when missing, malformed, below 1 or past ID_MAX)."""
    return request.args.get("page", 1, type=id_number)


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def refuse_nul_characters():
    """A NUL character in the path, the query or a form is a 400: nobody types one, and PostgreSQL's
    text refuses it (a 500 wherever it reached a query). A before_request hook of the whole app."""
    if "\x00" in request.path or b"%00" in request.query_string:
        abort(400)
    fields = request.form.listvalues() if request.mimetype in FORM_TYPES else ()
    if any("\x00" in value for values in fields for value in values):
        abort(400)


def consent_needed():
    """Whether the signed-in user must still confirm 18+ and accept the current Terms (and Reader
    agreement), answered once per request: every signed-in page asks twice (the consent check
    before the view, and the header's event-stream switch)."""
    from soulseer.services import accounts

    if "consent_needed" not in g:
        g.consent_needed = current_user.is_authenticated and accounts.needs_consent(current_user)
    return g.consent_needed
