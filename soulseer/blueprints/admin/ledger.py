"""Admin → Ledger: the verify report, totals, any account's lines, wallet adjustments, lifting a
disputed wallet's freeze."""

import secrets

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from soulseer.blueprints.admin.registry import Section
from soulseer.extensions import db
from soulseer.ledger import LedgerAccount, reads, verify
from soulseer.money import AmountError, parse_cents
from soulseer.services.payments import ledger_admin
from soulseer.views import page_number, refused

bp = Blueprint("ledger", __name__, url_prefix="/ledger")


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
def index():
    query = request.args.get("q", "").strip()[:100]
    return render_template(
        "admin/ledger/index.html",
        checks=verify.run(),
        totals=ledger_admin.tracked_totals(),
        derived=ledger_admin.derived_balances(),
        results=ledger_admin.search_accounts(query, page_number()),
        query=query,
    )


def _account_page(account, form=None, status=200, lift_form=None):
    if form is None:
        form = AdjustmentForm(formdata=None, request_key=secrets.token_urlsafe(16))
    return render_template(
        "admin/ledger/account.html",
        account=account,
        balance=reads.account_balance(account),
        lines=ledger_admin.account_lines(account, page_number()),
        form=form,
        lift_form=lift_form or LiftFreezeForm(formdata=None),
    ), status


@bp.get("/accounts/<int:account_id>")
def account(account_id):
    return _account_page(db.get_or_404(LedgerAccount, account_id))


@bp.post("/accounts/<int:account_id>/adjustments")
def adjust(account_id):
    account = db.get_or_404(LedgerAccount, account_id)
    form = AdjustmentForm()
    if not form.validate() or not form.request_key.data:
        return _account_page(account, form, 422)
    try:
        cents = parse_cents(form.amount.data, allow_negative=True)
        posted = ledger_admin.adjust_wallet(current_user, account, cents, form.reason.data, form.request_key.data)
    except AmountError as error:  # the text is not an amount: the form's own field error
        form.amount.errors = [str(error)]
        return _account_page(account, form, 422)
    except ledger_admin.AdjustmentError as error:
        return refused(error, _account_page, form, account=account, form=form)
    db.session.commit()
    flash("Adjustment recorded." if posted.created else "This adjustment was already recorded.", "success")
    return redirect(url_for(".account", account_id=account.id))


@bp.post("/accounts/<int:account_id>/lift-freeze")
def lift_freeze(account_id):
    account = db.get_or_404(LedgerAccount, account_id)
    form = LiftFreezeForm()
    if not form.validate():
        return _account_page(account, status=422, lift_form=form)
    try:
        lifted = ledger_admin.lift_freeze(current_user, account, form.review.data)
    except ledger_admin.AdjustmentError as error:
        return refused(error, _account_page, form, field_names={"reason": "review"}, account=account, lift_form=form)
    db.session.commit()
    flash("The freeze is lifted: this wallet can spend again." if lifted else "This wallet was not frozen.",
          "success" if lifted else "info")  # fmt: skip
    return redirect(url_for(".account", account_id=account.id))


section = Section("ledger", "Ledger", bp, order=60)
