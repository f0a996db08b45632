"""Admin → Orders (/admin/orders): orders to ship, paid and shipped; one order with its buyer,
address and items; mark it shipped with carrier and tracking (the buyer is notified); a fresh
download grant for an item. Rules: services/shop/orders.py and downloads.py."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from soulseer.blueprints.admin.registry import Badge, Section
from soulseer.extensions import db
from soulseer.services.shop import downloads, orders
from soulseer.services.shop.errors import ShopError
from soulseer.views import page_number, refused

bp = Blueprint("orders", __name__)


class ShipForm(FlaskForm):
    carrier = StringField("Carrier", description="USPS, UPS, FedEx...")
    tracking_number = StringField("Tracking number")


class RegrantForm(FlaskForm):
    reason = TextAreaField("Reason (optional)", description="Kept in the audit log.")


@bp.app_context_processor
def admin_order_views():
    return {"admin_order_views": [(key, label) for key, label, _ in orders.ADMIN_VIEWS]}


@bp.get("/orders")
def index():
    view = request.args.get("view", "to_ship")
    return render_template("admin/orders/index.html", view=view, results=orders.for_admin(view, page_number()))


def _order_page(order_id, ship_form=None, status=200):
    try:
        order = orders.get(order_id)
    except ShopError:
        abort(404)
    return render_template(
        "admin/orders/show.html",
        order=order,
        ship_form=ship_form or ShipForm(formdata=None),
        regrant_form=RegrantForm(),
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


section = Section(
    key="orders",
    label="Orders",
    blueprint=bp,
    order=76,
    badge=Badge(orders.to_ship_count, "to ship"),
)
