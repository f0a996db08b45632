"""Development-only pages. Never registered in production."""

import re

import sqlalchemy as sa
from flask import Blueprint, render_template
from markupsafe import Markup, escape

from soulseer.extensions import db
from soulseer.models import OutboundEmail

bp = Blueprint("dev", __name__, url_prefix="/dev")

_URL = re.compile(r"https?://[^\s<>\"']+")


def linkify(text):
    """Escape the text, then make its http(s) links clickable."""
    parts, last = [], 0
    for match in _URL.finditer(text):
        parts.append(escape(text[last : match.start()]))
        url = escape(match.group(0))
        parts.append(Markup(f'<a href="{url}">{url}</a>'))  # noqa: S704 (escaped above)
        last = match.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


@bp.get("/mail")
def mail():
    """The outbox: every email the app sent, newest first, with working links."""
    emails = db.session.execute(sa.select(OutboundEmail).order_by(OutboundEmail.id.desc()).limit(50)).scalars().all()
    return render_template("dev/mail.html", emails=emails, linkify=linkify)
