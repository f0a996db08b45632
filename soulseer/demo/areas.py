"""The demo's other areas: bookings, the shop, the community and messages."""

from soulseer.extensions import db
from soulseer.models import User

# Every area shows something on a first `make run`, made through each area's own service as its
# pages would make it (rules, screening and moderation included): Luna takes bookings, the shop
# sells three products, the community has a conversation going, and Cleo has written to Luna.
# Live streams need Agora (docs/streams.md), so none is announced here. Each part is made once:
# it is looked for first, and a part that exists is left as it is, even if someone changed it.


def seed_areas():
    users = {
        u.email: u for u in db.session.execute(db.select(User).where(User.email.like("%@soulseer.test"))).scalars()
    }
    admin, cleo, luna = users["admin@soulseer.test"], users["client@soulseer.test"], users["luna@soulseer.test"]
    _seed_bookings(luna)
    _seed_shop(admin, luna)
    _seed_community(luna, cleo)
    _seed_messages(cleo, luna)


def _seed_bookings(luna):
    """Luna opens 30- and 60-minute readings on weekdays and Saturday mornings, in her own time."""
    from soulseer.services.bookings import availability

    if availability.settings_for(luna) is not None:
        return
    weekday_hours = "10:00-13:00, 14:00-18:00"
    availability.save(
        luna,
        availability.AvailabilityInput(
            time_zone="America/New_York",
            lengths=[30, 60],
            prices={30: "75", 60: "140"},
            weekly={**dict.fromkeys(range(5), weekday_hours), 5: "10:00-13:00"},
        ),
    )
    db.session.commit()


DEMO_PRODUCTS = [
    # (seller email or None for SoulSeer, kind, title, category, price, summary, stock, shipping, featured,
    #  picture colours)
    (None, "physical", "Rose quartz palm stone", "crystals", "18",
     "A smooth stone to hold while you ask your question.", "25", "4.50", True, ("#f7a8c8", "#5a2340")),
    (None, "digital", "The three-card spread, step by step", "guides", "5",
     "A short guide to past, present and future spreads, with worked examples.", "", "", True,
     ("#d4af37", "#241a3a")),
    ("luna@soulseer.test", "digital", "Full moon journal prompts", "spreads", "7",
     "Twelve prompts from Luna for the nights around the full moon.", "", "", False, ("#c9d6ff", "#1d2547")),
]  # fmt: skip


def _seed_shop(admin, luna):
    """Three products on sale, with drawn pictures: SoulSeer's stone and guide, and a digital product
    of Luna's."""
    import io

    from werkzeug.datastructures import FileStorage

    from soulseer.models import Product, ProductStatus
    from soulseer.services.marketplace import photos
    from soulseer.services.shop import products

    titles = set(db.session.execute(db.select(Product.title)).scalars())
    for seller_email, kind, title, category, price, summary, stock, shipping, featured, colours in DEMO_PRODUCTS:
        if title in titles:
            continue
        seller = luna if seller_email == luna.email else None
        details = products.Details(
            kind=kind, title=title, category=category, price=price, summary=summary,
            description=summary, stock=stock, shipping=shipping, featured=featured,
        )  # fmt: skip
        file = io.BytesIO(_demo_pdf(title, summary)) if kind == "digital" else None
        picture = io.BytesIO()
        photos.generated_portrait(title[0], *colours).save(picture, "PNG")
        picture.seek(0)
        picture = FileStorage(picture, filename="picture.png", content_type="image/png")  # as a form sends it
        products.create(
            seller or admin, details, seller=seller, file=file, picture=picture, status=ProductStatus.PUBLISHED
        )
        db.session.commit()


def _demo_pdf(title, text):
    """A one-page PDF with the product's title and summary, written by hand (no PDF library)."""

    def escaped(value):
        return value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    content = f"BT /F1 18 Tf 72 720 Td ({escaped(title)}) Tj /F1 11 Tf 0 -28 Td ({escaped(text)}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return pdf


DEMO_THREAD = (
    "ask-a-reader",
    "Which deck did you learn on?",
    "I learned on the Rider-Waite-Smith deck and still reach for it when a question is tangled. "
    "Which deck did you start with, and do you still use it?",
    "I started with a borrowed Thoth deck and found it too dense at first. A simpler deck made the meanings stick.",
)


def _seed_community(luna, cleo):
    """A thread Luna started in Ask a Reader, with Cleo's answer."""
    from soulseer.models import CommunityThread
    from soulseer.services.community import categories, replies, threads

    slug, title, body, answer = DEMO_THREAD
    if db.session.execute(db.select(CommunityThread.id).filter_by(title=title)).first():
        return
    thread = threads.start(luna, categories.by_slug(slug), title, body)
    db.session.commit()
    replies.create(cleo, thread, answer)
    db.session.commit()


def _seed_messages(cleo, luna):
    """Cleo has written to Luna: Luna's inbox and Cleo's Messages are not empty."""
    from soulseer.services.messages import conversations, sending

    if conversations.between(cleo.id, luna.id) is not None:
        return
    sending.start(cleo, luna, "Hello Luna, do you read about career changes? I may have to choose between two offers.")
    db.session.commit()
