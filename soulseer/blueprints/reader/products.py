"""The reader's shop (/reader/products): her digital products — add one (it waits for an admin's
approval), change it (it waits again), withdraw it — and what each has sold. Rules:
services/shop/products.py (readers sell digital products only: an address never reaches them)."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from soulseer.blueprints.moderation.notices import tell_writer
from soulseer.blueprints.reader import bp
from soulseer.blueprints.shop.forms import ProductFields, allow_product_files, upload
from soulseer.extensions import db
from soulseer.models import Role
from soulseer.services.marketplace import photos
from soulseer.services.shop import products, sales
from soulseer.services.shop.errors import ShopError
from soulseer.views import refused

allow_product_files(bp, ("reader.create_product", "reader.revise_product"), lambda user: user.role == Role.READER)


@bp.get("/products")
def products_page():
    mine = products.of_seller(current_user)
    return render_template(
        "reader/products.html",
        products=mine,
        sold=sales.sold_by_product(current_user),
        status_labels=products.STATUS_LABELS,
    )


def _editor(form, product=None, status=200):
    return render_template("reader/product_form.html", form=form, product=product), status


@bp.get("/products/new")
def new_product():
    return _editor(ProductFields(formdata=None))


@bp.post("/products")
def create_product():
    form = ProductFields()
    try:
        product = products.submit(current_user, form.details(), file=upload(form.file), picture=upload(form.picture))
    except (ShopError, photos.PhotoError) as error:
        return refused(error, lambda status: _editor(form, status=status), form, field_names={"photo": "picture"})
    db.session.commit()
    tell_writer(product)
    flash(f"“{product.title}” is waiting for approval. We will tell you when it is in the shop.", "success")
    return redirect(url_for(".products_page"), 303)


def _own(product_id):
    try:
        return products.own(current_user, product_id)
    except ShopError:
        abort(404)


@bp.get("/products/<int:product_id>")
def edit_product(product_id):
    product = _own(product_id)
    form = ProductFields(formdata=None, obj=product)
    form.fill_from(product)
    return _editor(form, product)


@bp.post("/products/<int:product_id>")
def revise_product(product_id):
    _own(product_id)
    form = ProductFields()
    try:
        product = products.revise(
            current_user, product_id, form.details(), file=upload(form.file), picture=upload(form.picture)
        )
    except (ShopError, photos.PhotoError) as error:

        def page(status):
            return _editor(form, _own(product_id), status)

        return refused(error, page, form, field_names={"photo": "picture"})
    db.session.commit()
    tell_writer(product)
    waiting = product.status == "pending"
    flash(f"“{product.title}” is saved{' and waiting for approval again' if waiting else ''}.", "success")
    return redirect(url_for(".products_page"), 303)


@bp.post("/products/<int:product_id>/withdraw")
def withdraw_product(product_id):
    _own(product_id)
    product = products.withdraw(current_user, product_id)
    db.session.commit()
    flash(f"“{product.title}” is out of the shop. Buyers keep their downloads.", "success")
    return redirect(url_for(".products_page"), 303)
