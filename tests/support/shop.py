"""Products for the shop's tests (unit and browser): made through the shop's own service, as an
admin (or a reader's product, as a reader will), with a real file in storage."""

import io

from soulseer.extensions import db
from soulseer.models import ProductStatus
from soulseer.services.shop import products

PDF_BYTES = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_upload(data=PDF_BYTES):
    return io.BytesIO(data)


def digital_product(admin, title="Tarot for Beginners", price="12.00", seller=None, category="guides", **fields):
    """A digital product for sale with a small PDF, committed."""
    product = products.create(
        admin,
        products.Details(kind="digital", title=title, category=category, price=price, **fields),
        seller=seller,
        file=pdf_upload(),
        status=ProductStatus.PUBLISHED,
    )
    db.session.commit()
    return product


def physical_product(admin, title="Rose Quartz Point", price="25.00", stock=3, shipping="5.00", **fields):
    """A physical product of the platform's for sale, committed."""
    product = products.create(
        admin,
        products.Details(
            kind="physical", title=title, category="crystals", price=price, stock=str(stock), shipping=shipping,
            **fields,
        ),
        status=ProductStatus.PUBLISHED,
    )  # fmt: skip
    db.session.commit()
    return product
