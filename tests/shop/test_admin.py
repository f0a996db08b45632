"""Admin → Products and Admin → Orders: platform products with their files, checked by content;
orders to ship, marked shipped with tracking (the buyer notified); fresh download grants."""

import io

import sqlalchemy as sa

from soulseer.extensions import db as database
from soulseer.models import AuditEntry, Notification, Order, Product
from soulseer.services import accounts
from soulseer.services.core.data_export import export_data
from soulseer.services.core.storage import storage
from soulseer.services.shop import buying, files
from tests.shop.conftest import ADDRESS, buy_form
from tests.support.marketplace import image_bytes
from tests.support.shop import PDF_BYTES


def _product_form(page, **fields):
    return {
        "csrf_token": page.csrf, "kind": "digital", "title": "Tarot for Beginners", "category": "guides",
        "price": "12.50", "summary": "Learn the cards", "description": "A *gentle* start.", "stock": "",
        "shipping": "", "status": "published", **fields,
    }  # fmt: skip


def test_an_admin_creates_a_digital_product_with_its_file_and_picture(db, admin, writer):
    page = writer(admin)
    assert page.get("/admin/products/new").status_code == 200
    response = page.post(
        "/admin/products",
        data=_product_form(
            page,
            file=(io.BytesIO(PDF_BYTES), "my guide (final).PDF"),
            picture=(io.BytesIO(image_bytes("JPEG", exif=True)), "cover.jpg"),
            featured="y",
        ),
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    product = database.session.execute(sa.select(Product)).scalar_one()
    assert (product.title, product.price_cents, product.status, product.featured) == (
        "Tarot for Beginners", 1250, "published", True,
    )  # fmt: skip
    assert product.file_key.startswith(f"products/{product.id}/") and product.file_key.endswith(
        "/tarot-for-beginners.pdf"
    )
    assert (product.file_name, product.file_type, product.file_size) == (
        "Tarot-for-Beginners.pdf", "application/pdf", len(PDF_BYTES),
    )  # fmt: skip
    assert storage().get(product.file_key) == PDF_BYTES
    assert storage().get(f"{product.image_prefix}-320.webp")[:4] == b"RIFF"  # re-encoded WebP
    assert product.description_html == "<p>A <em>gentle</em> start.</p>\n"
    assert database.session.execute(sa.select(AuditEntry.action)).scalars().all() == ["shop.product_created"]
    assert "Tarot for Beginners" in page.get("/admin/products").get_data(as_text=True)


def test_a_file_is_checked_by_its_content_not_its_name(db, admin, writer):
    page = writer(admin)
    response = page.post(
        "/admin/products",
        data=_product_form(page, file=(io.BytesIO(b"#!/bin/sh\nrm -rf /\n"), "guide.pdf")),
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "content is not a PDF, EPUB" in html
    assert database.session.scalar(sa.select(sa.func.count()).select_from(Product)) == 0


def test_a_digital_product_goes_on_sale_only_with_its_file_and_fields_are_checked(db, admin, writer):
    page = writer(admin)
    refused = page.post("/admin/products", data=_product_form(page), content_type="multipart/form-data")
    assert refused.status_code == 422 and "Add the file buyers get" in refused.get_data(as_text=True)
    for field, value, message in (
        ("price", "0.99", "The price is from $1.00 to $1,000.00."),
        ("price", "abc", "Enter an amount in dollars"),
        ("title", "ab", "Write a title of 3 to 120 characters."),
        ("category", "weapons", "Choose a category."),
    ):
        response = page.post("/admin/products", data=_product_form(page, status="draft", **{field: value}))
        assert response.status_code == 422 and message in response.get_data(as_text=True), field
    physical = page.post("/admin/products", data=_product_form(page, kind="physical", stock="-1"))
    assert physical.status_code == 422 and "how many are in stock" in physical.get_data(as_text=True)
    assert database.session.scalar(sa.select(sa.func.count()).select_from(Product)) == 0


def test_a_large_product_file_is_accepted_from_an_admin_only(db, app, admin, funded, writer):
    big = PDF_BYTES + b"0" * (7 * 1024 * 1024)  # over the site's 6 MB limit, under the shop's 200 MB
    page = writer(admin)
    response = page.post(
        "/admin/products",
        data=_product_form(page, file=(io.BytesIO(big), "big.pdf")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert database.session.execute(sa.select(Product.file_size)).scalar_one() == len(big)
    client = writer(funded())
    refused = client.post(
        "/admin/products",
        data=_product_form(client, file=(io.BytesIO(big), "big.pdf")),
        content_type="multipart/form-data",
    )
    assert refused.status_code == 413
    app.config["SHOP_MAX_FILE_BYTES"] = 1024
    try:
        over = page.post("/admin/products", data=_product_form(page, file=(io.BytesIO(PDF_BYTES * 40), "x.pdf")),
                         content_type="multipart/form-data")  # fmt: skip
        assert over.status_code == 422 and "larger than" in over.get_data(as_text=True)
    finally:
        app.config["SHOP_MAX_FILE_BYTES"] = 200 * 1024 * 1024


def test_the_file_types_buyers_can_get():
    heads = {
        b"%PDF-1.4": "application/pdf",
        b"PK\x03\x04" + b"\x00" * 26 + b"mimetypeapplication/epub+zip": "application/epub+zip",
        b"PK\x03\x04" + b"\x00" * 40: "application/zip",
        b"ID3\x04\x00": "audio/mpeg",
        b"\xff\xfb\x90\x00": "audio/mpeg",
        b"\x00\x00\x00\x20ftypM4A ": "audio/mp4",
        b"\x00\x00\x00\x20ftypisom": "video/mp4",
        b"RIFF\x00\x00\x00\x00WAVE": "audio/wav",
        b"\x89PNG\r\n\x1a\n": "image/png",
        b"\xff\xd8\xff\xe0": "image/jpeg",
    }
    for head, content_type in heads.items():
        assert files.sniff(head).content_type == content_type, head
    for head in (b"<html>", b"MZ\x90\x00", b"#!/bin/sh", b"", b"\xff\xfe"):
        assert files.sniff(head) is None, head


def test_an_admin_ships_an_order_and_the_buyer_sees_the_tracking(db, admin, funded, crystal, writer):
    cass = funded()
    buyer_page = writer(cass)
    buyer_page.post(f"/shop/{crystal.slug}/buy", data=buy_form(buyer_page, quantity="1", **ADDRESS))
    order = database.session.execute(sa.select(Order)).scalar_one()
    page = writer(admin)
    listing = page.get("/admin/orders").get_data(as_text=True)
    assert f"Order #{order.id}" in listing and 'aria-label="1 to ship"' in listing
    detail = page.get(f"/admin/orders/{order.id}").get_data(as_text=True)
    assert "1 Main St" in detail and "Mark shipped" in detail
    bad = page.post(
        f"/admin/orders/{order.id}/ship", data={"csrf_token": page.csrf, "carrier": "", "tracking_number": "1Z"}
    )
    assert bad.status_code == 422 and "Enter the carrier" in bad.get_data(as_text=True)
    shipped = page.post(
        f"/admin/orders/{order.id}/ship",
        data={"csrf_token": page.csrf, "carrier": "USPS", "tracking_number": "9400 1000 0000 0000 0000 00"},
    )
    assert shipped.status_code == 303
    database.session.expire_all()
    assert (order.fulfilment_status, order.carrier, order.tracking_number) == (
        "shipped",
        "USPS",
        "9400100000000000000000",
    )
    note = database.session.execute(sa.select(Notification).filter_by(user_id=cass.id)).scalar_one()
    assert (note.kind, note.link) == ("order", f"/orders/{order.id}")
    assert "9400100000000000000000" in buyer_page.get(f"/orders/{order.id}").get_data(as_text=True)
    twice = page.post(
        f"/admin/orders/{order.id}/ship", data={"csrf_token": page.csrf, "carrier": "UPS", "tracking_number": "12345"}
    )
    assert twice.status_code == 409
    assert "No orders here" in page.get("/admin/orders?view=to_ship").get_data(as_text=True)


def test_admin_shop_pages_are_for_admins(db, funded, writer, guide):
    client = writer(funded())
    for url in ("/admin/products", "/admin/products/new", f"/admin/products/{guide.id}", "/admin/orders"):
        assert client.get(url).status_code == 403, url


def test_orders_are_exported_and_a_deleted_account_keeps_them_without_the_address(db, funded, crystal, guide):
    cass = funded(20_000)
    address = buying.Address(name="Cass Moon", line1="1 Main St", city="Springfield", postal_code="62701", country="US")
    buying.buy_from_wallet(cass, crystal.id, 1, "key-1", address)
    buying.buy_from_wallet(cass, guide.id, 1, "key-2")
    db.session.commit()
    exported = export_data(cass)["shop_orders"]
    assert [o["items"][0]["title"] for o in exported] == ["Rose Quartz Point", "Tarot for Beginners"]
    assert exported[0]["shipping_address"][:2] == ["Cass Moon", "1 Main St"]
    assert exported[1]["items"][0]["downloads_used"] == 0
    accounts.delete_account(cass, signed_in_recently=True)
    db.session.commit()
    database.session.expire_all()
    kept = database.session.execute(sa.select(Order).order_by(Order.id)).scalars().all()
    assert len(kept) == 2 and all(o.ship_name is None and o.ship_line1 is None for o in kept)
    assert kept[0].total_cents == 3000 and kept[0].ship_country == "US"
