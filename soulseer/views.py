"""Small helpers the views share."""

import functools
from urllib.parse import urlsplit

from flask import abort, render_template, request
from flask_login import current_user, login_required

from soulseer.extensions import htmx


def render(template, fragment=None, **context):
    """The full page, or only its `_fragment.html` partial when HTMX asks for a piece of it."""
    if fragment and htmx and not htmx.boosted:
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
    """Put a service's AccountError-style message on its field, or on the form as a whole."""
    field_name = (field_names or {}).get(error.field, error.field)
    field = getattr(form, field_name, None) if field_name else None
    if field is not None:
        field.errors = [*field.errors, error.message] if isinstance(field.errors, list) else [error.message]
    else:
        form.form_errors.append(error.message)


def safe_next_url(target):
    """Only a path on this site (never another host, never a scheme-relative //host)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def page_number():
    """The `page` query argument as a page number (1 when missing, malformed or below 1)."""
    return max(request.args.get("page", 1, type=int) or 1, 1)
