"""The buyer's orders (/orders), one order, and counted downloads of what they bought."""

from flask import abort, redirect, render_template
from flask_login import current_user, login_required

from soulseer import clock
from soulseer.blueprints.shop import bp
from soulseer.extensions import db
from soulseer.services.shop import downloads, orders
from soulseer.services.shop.errors import ShopError
from soulseer.views import page_number


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
    return render_template("shop/order.html", order=found)


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
