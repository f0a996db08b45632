"""The admin's refund of what a record kept (a reading, a booking): the form and its one view.

An amount typed in dollars (full or partial, at most what is left), a reason, and a key made when
the page was drawn, so a second press of the same form is the same refund (the ledger's
idempotency). The money moves through the record's service and `commerce.refund`.
"""

import secrets

from flask import flash, redirect, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField

from soulseer.errors import DomainError
from soulseer.extensions import db
from soulseer.money import AmountError, parse_cents
from soulseer.views import refused


class RefundForm(FlaskForm):
    amount = StringField("Amount to refund, in dollars", description="Full or partial; at most what is left to refund.")
    reason = TextAreaField("Reason", description="Shown in the audit log and on the client's wallet line.")
    request_key = HiddenField()


def blank_form():
    """The form on a record's page, with a fresh key."""
    return RefundForm(formdata=None, request_key=secrets.token_urlsafe(16))


def post(record, page, refund, back):
    """Refund from the posted form: `refund(cents, reason, key)` moves the money (its refusal, a
    DomainError, is shown on the form), `page(record, form, status=...)` draws the record's page
    again, `back` is where to go once it is recorded."""
    form = RefundForm()
    if not form.validate() or not form.request_key.data:
        return page(record, form, status=422)
    try:
        cents = parse_cents(form.amount.data or "")
        posted = refund(cents, form.reason.data, form.request_key.data)
    except AmountError as error:  # the text is not an amount: the form's own field error
        form.amount.errors = [str(error)]
        return page(record, form, status=422)
    except DomainError as error:  # the service's refusal, or commerce.RefundRefused (more than is left)
        return refused(error, lambda status: page(record, form, status=status), form)
    db.session.commit()
    flash("Refund recorded." if posted.created else "This refund was already recorded.", "success")
    return redirect(back)


def add_route(bp, rule, model, page, refund, record_endpoint):
    """POST `<rule>/refunds` (endpoint `refund`) on a section's blueprint: the record (`model`, by the
    rule's one id) is refunded through `refund(admin, record_id, cents, reason, key)`, then the admin
    is sent back to its page (`record_endpoint`). `page(record, form, status=...)` draws that page."""

    def view(**ids):
        record = db.get_or_404(model, *ids.values())
        return post(
            record,
            page,
            lambda cents, reason, key: refund(current_user, record.id, cents, reason, key),
            url_for(record_endpoint, **ids),
        )

    bp.add_url_rule(f"{rule}/refunds", "refund", view, methods=["POST"])
