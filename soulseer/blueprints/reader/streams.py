"""The reader's "Go live now" and "Schedule a stream" (GET/POST /reader/streams/new): one form, a
title, public, premium (with its entry price) or private (she invites clients from her studio) and
an optional start time. Offered only where
Agora is configured."""

from datetime import UTC

from flask import redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, RadioField, SelectChoice, StringField
from wtforms.validators import Optional

from soulseer.blueprints.reader import bp
from soulseer.extensions import db
from soulseer.models.stream import TITLE_MAX
from soulseer.services.streams import lifecycle
from soulseer.services.streams.lifecycle import StreamError
from soulseer.views import refused


class StreamForm(FlaskForm):
    title = StringField("Title", description="What the stream is about, 3 to 100 characters.",
                        render_kw={"maxlength": TITLE_MAX})  # fmt: skip
    kind = RadioField(
        "Who can watch",
        choices=[
            SelectChoice("public", "Public: everyone signed in"),
            SelectChoice("premium", "Premium: viewers buy an entry"),
            SelectChoice("private", "Private: only clients you invite (up to 20)"),
        ],
        default="public",
    )
    entry_price = StringField(
        "Entry price (premium only)",
        description="In dollars, $1 to $50, like 5 or 7.50. Paid to you once the stream has run 5 minutes.",
        render_kw={"inputmode": "decimal"},
    )
    scheduled_at = DateTimeLocalField(
        "Start time (UTC, optional)",
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
        description="Leave empty to go live now. A scheduled stream is listed on the Live page until it starts.",
    )


def _page(form, status=200):
    return render_template("streams/new.html", form=form, open_streams=lifecycle.open_streams_of(current_user)), status


@bp.get("/streams/new")
def new_stream():
    return _page(StreamForm())


@bp.post("/streams/new")
def create_stream():
    form = StreamForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    when = form.scheduled_at.data.replace(tzinfo=UTC) if form.scheduled_at.data else None
    try:
        price = lifecycle.entry_price(form.entry_price.data) if form.kind.data == "premium" else None
        stream = lifecycle.create(current_user, form.title.data, when, form.kind.data, price)
    except StreamError as error:
        return refused(error, lambda status, **context: _page(form, status), form)
    db.session.commit()
    return redirect(url_for("streams.show", stream_id=stream.id))
