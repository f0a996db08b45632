"""Readers' own products (/reader/products): digital only, screened, approved by an admin before
they are for sale; changed, they wait again; her sales and earnings on her dashboard."""

import io

import sqlalchemy as sa

from soulseer.extensions import db as database
from soulseer.models import ModerationItem, Notification, Product
from soulseer.services.shop import buying
from tests.support.money import earnings_of
from tests.support.shop import PDF_BYTES


def _form(page, **fields):
    return {
        "csrf_token": page.csrf, "title": "Moon Rituals Workbook", "category": "guides", "price": "9.99",
        "summary": "Twelve rituals", "description": "One for each **new moon**.", **fields,
    }  # fmt: skip


def _submit(page, **fields):
    data = _form(page, file=(io.BytesIO(PDF_BYTES), "rituals.pdf"), **fields)
    return page.post("/reader/products", data=data, content_type="multipart/form-data")


def test_a_readers_product_waits_for_approval_then_sells_with_her_share(db, app, admin, funded, make_user, writer):
    luna = make_user(role="reader", consented=True, display_name="Luna")
    page = writer(luna)
    assert "Add a product" in page.get("/reader/products").get_data(as_text=True)
    assert page.get("/reader/products/new").status_code == 200
    assert _submit(page).status_code == 303
    product = database.session.execute(sa.select(Product)).scalar_one()
    assert (product.status, product.seller_id, product.kind) == ("pending", luna.id, "digital")
    visitor = app.test_client()
    assert visitor.get(f"/shop/{product.slug}").status_code == 404
    assert "Waiting for approval" in page.get("/reader/products").get_data(as_text=True)

    admin_page = writer(admin)
    waiting = admin_page.get("/admin/products/waiting").get_data(as_text=True)
    assert "Moon Rituals Workbook" in waiting and 'aria-label="1 waiting"' in waiting
    decision = {"csrf_token": admin_page.csrf, "decision": "approve", "note": ""}
    approved = admin_page.post(f"/admin/products/{product.id}/decide", data=decision)
    assert approved.status_code == 303
    assert visitor.get(f"/shop/{product.slug}").status_code == 200
    note = database.session.execute(sa.select(Notification).filter_by(user_id=luna.id)).scalar_one()
    assert note.text == "Your product “Moon Rituals Workbook” is approved and in the shop."

    cass = funded()
    buying.buy_from_wallet(cass, product.id, 1, "key-1")
    db.session.commit()
    assert earnings_of(luna) == 699
    dashboard = page.get("/reader").get_data(as_text=True)
    assert "1 sold · $6.99 earned" in dashboard
    assert "1 sold" in page.get("/reader/products").get_data(as_text=True)

    # A change sends it back for approval: it leaves the shop until then.
    revised = page.post(
        f"/reader/products/{product.id}", data=_form(page, price="12"), content_type="multipart/form-data"
    )
    assert revised.status_code == 303
    database.session.expire_all()
    assert (product.status, product.price_cents) == ("pending", 1200)
    assert visitor.get(f"/shop/{product.slug}").status_code == 404


def test_a_refusal_needs_a_reason_the_reader_reads(db, admin, make_user, writer):
    luna = make_user(role="reader", consented=True)
    page = writer(luna)
    _submit(page)
    product = database.session.execute(sa.select(Product)).scalar_one()
    admin_page = writer(admin)
    no_reason = admin_page.post(f"/admin/products/{product.id}/decide",
                                data={"csrf_token": admin_page.csrf, "decision": "refuse", "note": ""})  # fmt: skip
    assert no_reason.status_code == 303
    database.session.expire_all()
    assert product.status == "pending"
    admin_page.post(f"/admin/products/{product.id}/decide", data={
        "csrf_token": admin_page.csrf, "decision": "refuse", "note": "The file is a blank page.",
    })  # fmt: skip
    database.session.expire_all()
    assert (product.status, product.review_note) == ("rejected", "The file is a blank page.")
    assert "Why it was not approved: The file is a blank page." in page.get("/reader/products").get_data(as_text=True)


def test_what_a_reader_writes_is_screened_into_the_queue(db, make_user, writer):
    page = writer(make_user(role="reader", consented=True))
    _submit(page, description="Pay me on Venmo or WhatsApp me at +1 415 555 2671 for a discount.")
    item = database.session.execute(sa.select(ModerationItem)).scalar_one()
    product = database.session.execute(sa.select(Product)).scalar_one()
    assert (item.kind, item.target_id) == ("product", product.id)


def test_readers_sell_files_only_and_only_their_own(db, admin, make_user, writer, funded):
    luna, sol = make_user(role="reader", consented=True), make_user(role="reader", consented=True)
    page = writer(luna)
    no_file = page.post("/reader/products", data=_form(page), content_type="multipart/form-data")
    assert no_file.status_code == 422 and "Add the file buyers get." in no_file.get_data(as_text=True)
    _submit(page)
    product = database.session.execute(sa.select(Product)).scalar_one()
    other = writer(sol)
    assert other.get(f"/reader/products/{product.id}").status_code == 404
    assert other.post(f"/reader/products/{product.id}/withdraw", data={"csrf_token": other.csrf}).status_code == 404
    assert writer(funded()).get("/reader/products").status_code == 403
    assert page.post(f"/reader/products/{product.id}/withdraw", data={"csrf_token": page.csrf}).status_code == 303
    database.session.expire_all()
    assert product.status == "archived"
