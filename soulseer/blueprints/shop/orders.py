"""The buyer's orders (/orders), one order, and counted downloads of what they bought."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import SelectChoice

from soulseer import clock
from soulseer.blueprints.shop import bp
from soulseer.blueprints.shop.forms import TestCheckoutForm
from soulseer.extensions import db
from soulseer.models import PaymentStatus
from soulseer.services.payments import stripe_stand_in
from soulseer.services.payments.topups import test_payments_enabled
from soulseer.services.shop import buying, downloads, orders
from soulseer.services.shop.errors import ShopError
from soulseer.views import page_number, refused


@bp.app_template_global()
def shop_download_state(grant):
    return downloads.state(grant, clock.now())


@bp.app_context_processor
def shop_labels():
    return {"payment_labels": orders.PAYMENT_LABELS, "fulfilment_labels": orders.FULFILMENT_LABELS}


@bp.get("/orders")
@login_required
def order_list():
    return render_template("shop/orders.html", results=orders.of_buyer(current_user, page_number()))


@bp.get("/orders/<int:order_id>")
@login_required
def order(order_id):
    try:
        found = orders.own(current_user, order_id)
    except ShopError as error:
        abort(error.status)
    page = render_template("shop/order.html", order=found, now=clock.now())
    response = current_app.make_response(page)
    if found.payment_status == PaymentStatus.PENDING:
        response.headers["Cache-Control"] = "no-store"  # it changes when the payment is confirmed
    return response


def _own_card_order(order_id):
    try:
        found = orders.own(current_user, order_id)
    except ShopError as error:
        abort(error.status)
    if found.payment_method != "card":
        abort(404)
    return found


def _test_checkout_form(formdata=None):
    from soulseer.blueprints.shop.views import COUNTRY_NAMES

    form = TestCheckoutForm(formdata=formdata)
    form.ship_country.choices = [
        SelectChoice(code, COUNTRY_NAMES.get(code, code)) for code in buying.shipping_countries()
    ]
    return form


@bp.route("/orders/<int:order_id>/test-checkout", methods=["GET", "POST"])
@login_required
def test_checkout(order_id):
    """The TEST checkout of a card order (test payments only), standing in for Stripe Checkout: it
    asks for the shipping address of physical goods as Checkout does, and sends the signed event
    Stripe would through our own POST /webhooks/stripe. It never marks the order paid itself."""
    if not test_payments_enabled():
        abort(404)
    found = _own_card_order(order_id)
    order_page = url_for("shop.order", order_id=found.id)
    if found.payment_status != PaymentStatus.PENDING:
        return redirect(order_page, 303)
    if clock.now() >= found.checkout_expires_at:
        flash("This payment page has expired. Nothing was charged.", "error")
        return redirect(order_page, 303)
    form = _test_checkout_form(request.form if request.method == "POST" else None)
    error = None
    if request.method == "POST":
        outcome = request.form.get("outcome")
        if outcome not in (stripe_stand_in.PAID, stripe_stand_in.FAILED):
            abort(400)
        address = form.address() if found.physical and outcome == stripe_stand_in.PAID else None
        if address is not None:
            try:
                buying.check_address(address)
            except ShopError as problem:
                return refused(problem, _test_checkout_page, form, form=form, order=found, error=None)
        webhook_url = request.host_url.rstrip("/") + url_for("webhooks.stripe_webhook")
        try:
            stripe_stand_in.pay_order(found, outcome, webhook_url, address)
        except stripe_stand_in.DeliveryError as problem:
            current_app.logger.warning("Test payment for order %s not delivered: %s", found.id, problem)
            error = "The test payment could not reach the webhook endpoint. Nothing was paid; try again."
        else:
            return redirect(order_page, 303)
    return _test_checkout_page(form=form, order=found, error=error, status=502 if error else 200)


def _test_checkout_page(status=200, **context):
    response = current_app.make_response((render_template("shop/test_checkout.html", **context), status))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/orders/<int:order_id>/items/<int:item_id>/download")
@login_required
def download(order_id, item_id):
    """Count one download, then send the buyer to the file's short-lived link (302)."""
    try:
        link = downloads.download(current_user, order_id, item_id)
    except downloads.DownloadGone as error:
        db.session.rollback()
        return render_template("shop/download_gone.html", problem=error.message, order_id=order_id), 410
    except ShopError as error:
        db.session.rollback()
        abort(error.status)
    db.session.commit()
    response = redirect(link, 302)
    response.headers["Cache-Control"] = "private, no-store"
    return response
