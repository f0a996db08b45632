"""Admin → Orders (/admin/orders): orders to ship, paid and shipped; one order with its buyer,
address and items; mark it shipped with carrier and tracking (the buyer is notified); refund it
(whole, or an item) or cancel it before it ships; a fresh download grant for an item. Rules:
services/shop/orders.py, refunds.py and downloads.py."""

import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectChoice, SelectField, StringField, TextAreaField

from soulseer.blueprints.admin.registry import Badge, Section
from soulseer.extensions import db
from soulseer.money import format_cents
from soulseer.services import commerce
from soulseer.services.shop import downloads, orders, refunds
from soulseer.services.shop.errors import ShopError
from soulseer.views import page_number, refused

bp = Blueprint("orders", __name__)


class ShipForm(FlaskForm):
    carrier = StringField("Carrier", description="USPS, UPS, FedEx...")
    tracking_number = StringField("Tracking number")


class RegrantForm(FlaskForm):
    reason = TextAreaField("Reason (optional)", description="Kept in the audit log.")


class RefundForm(FlaskForm):
    request_key = HiddenField()
    what = SelectField("What to refund")
    reason = TextAreaField("Reason", description="5 to 500 characters, kept in the audit log.")
    return_received = BooleanField("The return has arrived")


class CancelForm(FlaskForm):
    request_key = HiddenField()
    reason = TextAreaField("Reason", description="5 to 500 characters, kept in the audit log.")


def _refund_form(order, formdata=None):
    form = RefundForm(formdata=formdata)
    left = refunds.left_to_refund(order)
    choices = [SelectChoice("order", f"Everything left ({format_cents(left)})")]
    for item in order.items:
        item_left = min(item.line_cents - item.refunded_cents, left)
        if item_left > 0 and (len(order.items) > 1 or order.shipping_cents):  # else it is the whole order
            choices.append(SelectChoice(f"item-{item.id}", f"{item.title} only ({format_cents(item_left)})"))
    form.what.choices = choices
    if formdata is None:
        form.request_key.data = secrets.token_urlsafe(16)
    return form


def _cancel_form(formdata=None):
    form = CancelForm(formdata=formdata)
    if formdata is None:
        form.request_key.data = secrets.token_urlsafe(16)
    return form


@bp.app_context_processor
def admin_order_views():
    return {"admin_order_views": [(key, label) for key, label, _ in orders.ADMIN_VIEWS]}


@bp.get("/orders")
def index():
    view = request.args.get("view", "to_ship")
    return render_template("admin/orders/index.html", view=view, results=orders.for_admin(view, page_number()))


def _order_page(order_id, ship_form=None, status=200, refund_form=None, cancel_form=None):
    try:
        order = orders.get(order_id)
    except ShopError:
        abort(404)
    return render_template(
        "admin/orders/show.html",
        order=order,
        ship_form=ship_form or ShipForm(formdata=None),
        regrant_form=RegrantForm(),
        refund_form=refund_form or _refund_form(order),
        cancel_form=cancel_form or _cancel_form(),
        left_to_refund=refunds.left_to_refund(order),
        refund_destination="card (a Stripe refund)" if order.payment_method == "card" else "wallet",
    ), status


@bp.get("/orders/<int:order_id>")
def show(order_id):
    return _order_page(order_id)


@bp.post("/orders/<int:order_id>/ship")
def ship(order_id):
    form = ShipForm()
    try:
        orders.mark_shipped(current_user, order_id, form.carrier.data, form.tracking_number.data)
    except ShopError as error:
        if error.status == 404:
            db.session.rollback()
            abort(404)
        return refused(error, lambda status: _order_page(order_id, form, status), form)
    db.session.commit()
    flash(f"Order #{order_id} is marked shipped; the buyer was notified.", "success")
    return redirect(url_for(".show", order_id=order_id), 303)


@bp.post("/orders/<int:order_id>/items/<int:item_id>/regrant")
def regrant(order_id, item_id):
    form = RegrantForm()
    try:
        order = orders.get(order_id)
        if item_id not in {item.id for item in order.items}:
            abort(404)
        downloads.fresh_grant(current_user, item_id, (form.reason.data or "").strip() or None)
    except ShopError as error:
        db.session.rollback()
        if error.status == 404:
            abort(404)
        flash(error.message, "error")
        return redirect(url_for(".show", order_id=order_id), 303)
    db.session.commit()
    flash("A fresh download grant is ready for the buyer.", "success")
    return redirect(url_for(".show", order_id=order_id), 303)


@bp.post("/orders/<int:order_id>/refund")
def refund(order_id):
    try:
        order = orders.get(order_id)
    except ShopError:
        abort(404)
    form = _refund_form(order, request.form)
    what = form.what.data or ""
    try:
        if what.startswith("item-") and what[5:].isdigit():
            refunds.refund_item(current_user, order_id, int(what[5:]), form.reason.data, form.request_key.data,
                                form.return_received.data)  # fmt: skip
        else:
            refunds.refund_order(current_user, order_id, form.reason.data, form.request_key.data,
                                 form.return_received.data)  # fmt: skip
    except (ShopError, commerce.RefundRefused) as error:
        if error.status == 404:
            db.session.rollback()
            abort(404)
        return refused(error, lambda status: _order_page(order_id, status=status, refund_form=form), form)
    db.session.commit()
    where = "card through Stripe" if order.payment_method == "card" else "wallet"
    flash(f"Order #{order_id}: refunded to the buyer's {where}; they were notified.", "success")
    return redirect(url_for(".show", order_id=order_id), 303)


@bp.post("/orders/<int:order_id>/cancel")
def cancel(order_id):
    form = _cancel_form(request.form)
    try:
        refunds.cancel(current_user, order_id, form.reason.data, form.request_key.data)
    except (ShopError, commerce.RefundRefused) as error:
        if error.status == 404:
            db.session.rollback()
            abort(404)
        return refused(error, lambda status: _order_page(order_id, status=status, cancel_form=form), form)
    db.session.commit()
    flash(f"Order #{order_id} is cancelled: its stock is back and the buyer was refunded.", "success")
    return redirect(url_for(".show", order_id=order_id), 303)


section = Section(
    key="orders",
    label="Orders",
    blueprint=bp,
    order=76,
    badge=Badge(orders.to_ship_count, "to ship"),
)
