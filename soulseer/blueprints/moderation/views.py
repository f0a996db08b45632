from flask import abort, flash, g, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField

from soulseer.blueprints.moderation import bp
from soulseer.extensions import db, htmx, limiter
from soulseer.services.moderation import flags
from soulseer.services.moderation.items import ModerationError
from soulseer.views import refused, safe_next_url

FLAG_LIMIT = f"{flags.FLAGS_PER_DAY} per day"


class ReportForm(FlaskForm):
    # The service checks the reason and the note's length (one home for the rules).
    reason = RadioField("What is wrong?", validate_choice=False)
    note = TextAreaField(
        "Tell us what happened",
        description=f"{flags.NOTE_MIN} to {flags.NOTE_MAX} characters. Only SoulSeer's admins read it.",
    )


def _per_user():
    return f"user:{current_user.id}"


def _flag_made(response):
    # Only reports that were stored count toward the daily limit (not refused or invalid ones).
    return g.get("flag_made", False)


def _form(kind, formdata=True):
    form = ReportForm() if formdata else ReportForm(formdata=None)
    form.reason.choices = [(reason.code, reason.label) for reason in kind.reasons]
    return form


def _page(kind, target, form, status=200, problem=None):
    context = {
        "kind": kind,
        "target": target,
        "form": form,
        "problem": problem,
        "next_url": safe_next_url(request.values.get("next")) or url_for("main.home"),
    }
    if htmx:  # in place, HTMX swaps 200s: the refusal comes back in the form (the house pattern)
        return make_response(render_template("moderation/_report_form.html", **context), 200)
    return make_response(render_template("moderation/report.html", **context), status)


@bp.route("/report/<kind>/<int:target_id>", methods=["GET", "POST"])
@login_required
@limiter.limit(FLAG_LIMIT, key_func=_per_user, methods=["POST"], deduct_when=_flag_made)
def report(kind, target_id):
    """The report form (in place with HTMX, a page without), and sending it."""
    try:
        content_kind, target = flags.target_for(current_user, kind, target_id)
    except ModerationError as error:
        abort(error.status)
    if request.method == "GET":
        return _page(content_kind, target, _form(content_kind, formdata=False))
    form = _form(content_kind)
    if not form.validate():
        abort(400)
    try:
        flags.flag(current_user, kind, target_id, form.reason.data, form.note.data)
    except ModerationError as error:  # on its field, or above the form (a 429 says when to try again)
        on_field, problem = (form, None) if error.field else (None, error.message)
        return refused(error, _page, on_field, kind=content_kind, target=target, form=form, problem=problem)
    db.session.commit()
    g.flag_made = True
    if htmx:
        return render_template("moderation/_report_done.html", kind=content_kind)
    flash("Thank you. Your report is with SoulSeer's admins.", "success")
    return redirect(safe_next_url(request.values.get("next")) or url_for("main.home"), 303)
