"""Admin → Streams (/admin/streams): every stream (live, announced, over) with its figures (peak
viewers, gifts, entries), and ending any stream with a reason (audit-logged; tokens stop at once);
the gift catalogue (/admin/streams/gifts). Stream chat reports are in the one moderation queue.
Rules: services/streams (docs/streams.md)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, NumberRange

from soulseer.blueprints.admin.registry import Section
from soulseer.extensions import db
from soulseer.models import StreamState
from soulseer.money import format_cents, plain_dollars
from soulseer.services.moderation.visibility import REASON_MIN
from soulseer.services.streams import catalogue, gifts, lifecycle, tickets
from soulseer.services.streams.lifecycle import StreamError
from soulseer.views import page_number, refused

bp = Blueprint("streams", __name__)


@bp.get("/streams")
def index():
    state = request.args.get("state") or None
    results = lifecycle.for_admin(state, page_number())
    figures = {stream.id: (gifts.totals(stream.id), tickets.figures(stream.id)) for stream in results.items}
    return render_template(
        "admin/streams/index.html", results=results, figures=figures, state=state, states=list(StreamState)
    )


@bp.post("/streams/<int:stream_id>/end")
def end(stream_id):
    reason = (request.form.get("reason") or "").strip()
    if len(reason) < REASON_MIN:
        flash(f"Give a reason of at least {REASON_MIN} characters to end a stream.", "error")
        return redirect(url_for(".index", _anchor=f"stream-{stream_id}"), 303)
    try:
        stream = lifecycle.end(current_user, stream_id, reason=reason[:500])
    except StreamError as error:
        db.session.rollback()
        if error.status == 404:
            abort(404)
        flash(error.message, "error")
        return redirect(url_for(".index"), 303)
    db.session.commit()
    flash(f"“{stream.title}” is {stream.state}: its viewers were told, and no token is renewed.", "success")
    return redirect(url_for(".index", _anchor=f"stream-{stream_id}"), 303)


# The gift catalogue ----------------------------------------------------------------------------


class GiftForm(FlaskForm):
    """One gift: each row of the page is this form with the gift's own prefix (unique ids)."""

    name = StringField("Name", render_kw={"maxlength": catalogue.NAME_MAX})
    price = StringField("Price", description="In dollars, $1 to $1,000.", render_kw={"inputmode": "decimal"})
    icon = SelectField("Icon")
    animation = SelectField("Animation", choices=[SelectChoice(a, a.capitalize()) for a in catalogue.ANIMATIONS])
    position = IntegerField(
        "Place in the tray", description="From 0 to 999: smaller comes first.",
        validators=[InputRequired("Give its place in the tray, a number."), NumberRange(0, catalogue.POSITION_MAX)],
    )  # fmt: skip
    active = BooleanField("Offered to viewers")


def gift_form(gift=None, formdata=None):
    prefix = f"gift-{gift.id}" if gift else "new-gift"
    if gift is not None:
        data = {name: getattr(gift, name) for name in ("name", "icon", "animation", "position", "active")}
        data["price"] = plain_dollars(gift.price_cents)
    else:
        data = {"position": (max((g.position for g in catalogue.everything()), default=0) + 10), "active": True}
    kwargs = {} if formdata is not None else {"formdata": None}
    form = GiftForm(prefix=prefix, data=data, **kwargs)
    form.icon.choices = [SelectChoice(name, name.capitalize()) for name in catalogue.icons()]
    return form


def _gifts_page(status=200, forms=None):
    forms = forms or {}
    rows = [(gift, forms.get(gift.id) or gift_form(gift)) for gift in catalogue.everything()]
    return render_template("admin/streams/gifts.html", rows=rows, new_form=forms.get("new") or gift_form()), status


@bp.get("/streams/gifts")
def gift_catalogue():
    return _gifts_page()


def _save(form, gift=None):
    values = (form.name.data, form.price.data, form.icon.data, form.animation.data, form.position.data,
              form.active.data)  # fmt: skip
    if gift is None:
        return catalogue.add(current_user, *values)
    return catalogue.change(current_user, gift.id, *values)


@bp.post("/streams/gifts")
def add_gift():
    form = gift_form(formdata=request.form)
    if not form.validate():
        return _gifts_page(422, {"new": form})
    try:
        gift = _save(form)
    except catalogue.CatalogueError as error:
        return refused(error, lambda status, **_: _gifts_page(status, {"new": form}), form)
    db.session.commit()
    flash(f"{gift.name} ({format_cents(gift.price_cents)}) is in the catalogue.", "success")
    return redirect(url_for(".gift_catalogue", _anchor=f"gift-{gift.id}"), 303)


@bp.post("/streams/gifts/<int:gift_id>")
def change_gift(gift_id):
    from soulseer.models import Gift

    gift = db.session.get(Gift, gift_id)
    if gift is None:
        abort(404)
    form = gift_form(gift, formdata=request.form)
    if not form.validate():
        return _gifts_page(422, {gift.id: form})
    try:
        _save(form, gift)
    except catalogue.CatalogueError as error:
        return refused(error, lambda status, **_: _gifts_page(status, {gift_id: form}), form)
    db.session.commit()
    flash(f"{gift.name} is saved. Gifts sent before keep what they cost.", "success")
    return redirect(url_for(".gift_catalogue", _anchor=f"gift-{gift.id}"), 303)


section = Section("streams", "Streams", bp, order=55)
