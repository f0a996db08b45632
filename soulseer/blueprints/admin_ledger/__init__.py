"""Admin: the ledger (any account's lines, totals, wallet adjustments, lifting a disputed wallet's
freeze, the verify report)."""

import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from soulseer.extensions import db
from soulseer.ledger import LedgerAccount, verify
from soulseer.models import Role, StripeEvent, StripeEventStatus
from soulseer.money import AmountError, parse_cents
from soulseer.services import audit, ledger_admin, stripe_events
from soulseer.views import page_number, role_required

bp = Blueprint("admin_ledger", __name__, url_prefix="/admin/ledger")


REASON_VALIDATORS = [DataRequired("Give a reason."), Length(min=5, max=500)]


class AdjustmentForm(FlaskForm):
    amount = StringField(
        "Amount in dollars",
        validators=[DataRequired("Enter an amount.")],
        description="Positive adds to the wallet, negative (e.g. -5.00) takes away.",
    )
    reason = TextAreaField(
        "Reason", validators=REASON_VALIDATORS,
        description="Shown in the audit log and on the client's wallet line.",
    )  # fmt: skip
    request_key = HiddenField()


class LiftFreezeForm(FlaskForm):
    review = TextAreaField(
        "What the review found", validators=REASON_VALIDATORS,
        description="Kept in the audit log. The client is told their wallet can be used again.",
    )  # fmt: skip


@bp.get("")
@role_required(Role.ADMIN)
def index():
    query = request.args.get("q", "").strip()[:100]
    return render_template(
        "admin_ledger/index.html",
        checks=verify.run(),
        totals=ledger_admin.tracked_totals(),
        derived=ledger_admin.derived_balances(),
        results=ledger_admin.search_accounts(query, page_number()),
        query=query,
        section="admin_ledger.index",
    )


def _account_or_404(account_id):
    account = db.session.get(LedgerAccount, account_id)
    if account is None:
        abort(404)
    return account


def _account_page(account, form=None, status=200, lift_form=None):
    if form is None:
        form = AdjustmentForm(formdata=None, request_key=secrets.token_urlsafe(16))
    return render_template(
        "admin_ledger/account.html",
        account=account,
        balance=ledger_admin.accounts.balance(account),
        lines=ledger_admin.account_lines(account, page_number()),
        form=form,
        lift_form=lift_form or LiftFreezeForm(formdata=None),
        section="admin_ledger.index",
    ), status


@bp.get("/accounts/<int:account_id>")
@role_required(Role.ADMIN)
def account(account_id):
    return _account_page(_account_or_404(account_id))


@bp.post("/accounts/<int:account_id>/adjustments")
@role_required(Role.ADMIN)
def adjust(account_id):
    account = _account_or_404(account_id)
    form = AdjustmentForm()
    if not form.validate() or not form.request_key.data:
        return _account_page(account, form, 422)
    try:
        cents = parse_cents(form.amount.data, allow_negative=True)
        posted = ledger_admin.adjust_wallet(current_user, account, cents, form.reason.data, form.request_key.data)
    except AmountError as error:
        form.amount.errors = [str(error)]
        return _account_page(account, form, 422)
    except ledger_admin.AdjustmentError as error:
        db.session.rollback()
        getattr(form, error.field or "amount").errors = [error.message]
        return _account_page(account, form, 422)
    db.session.commit()
    flash("Adjustment recorded." if posted.created else "This adjustment was already recorded.", "success")
    return redirect(url_for("admin_ledger.account", account_id=account.id))


@bp.post("/accounts/<int:account_id>/lift-freeze")
@role_required(Role.ADMIN)
def lift_freeze(account_id):
    account = _account_or_404(account_id)
    form = LiftFreezeForm()
    if not form.validate():
        return _account_page(account, status=422, lift_form=form)
    try:
        lifted = ledger_admin.lift_freeze(current_user, account, form.review.data)
    except ledger_admin.AdjustmentError as error:
        form.review.errors = [error.message]
        return _account_page(account, status=422, lift_form=form)
    db.session.commit()
    flash("The freeze is lifted: this wallet can spend again." if lifted else "This wallet was not frozen.",
          "success" if lifted else "info")  # fmt: skip
    return redirect(url_for("admin_ledger.account", account_id=account.id))


@bp.get("/stripe-events")
@role_required(Role.ADMIN)
def events():
    status = request.args.get("status", "")
    status = status if status in set(StripeEventStatus) else ""
    statement = db.select(StripeEvent).order_by(StripeEvent.received_at.desc())
    if status:
        statement = statement.filter_by(status=status)
    results = db.paginate(statement, page=page_number(), per_page=50, error_out=False)
    return render_template(
        "admin_ledger/events.html",
        results=results,
        status=status,
        statuses=list(StripeEventStatus),
        section="admin_ledger.index",
    )


@bp.post("/stripe-events/<event_id>/retry")
@role_required(Role.ADMIN)
def retry_event(event_id):
    event = db.session.get(StripeEvent, event_id)
    if event is None:
        abort(404)
    before = {"stripe_event": event.id, "status": event.status, "error": event.error}
    if stripe_events.retry(event.id):
        # Stripe's event ids are text, so the event is named in before/after rather than target_id.
        audit.record(current_user, "stripe_event.retry", None, before=before,
                     after={"stripe_event": event.id, "status": "queued again"})  # fmt: skip
        db.session.commit()
        flash(f"Event {event.id} is queued to be processed again.", "success")
    else:
        flash(f"Event {event.id} was {event.status}; there is nothing to retry.", "info")
    return redirect(url_for("admin_ledger.events", status=request.args.get("status", "")))
