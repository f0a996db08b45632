"""Demo data for `make run` and `flask seed-demo`. Idempotent: found by email, created once."""

from soulseer import clock
from soulseer.extensions import db
from soulseer.models import Role, User
from soulseer.services import accounts
from soulseer.services.accounts import passwords

DEMO_PASSWORD = "moonlit-tarot-2026"  # noqa: S105 (demo data only, printed by make run)

DEMO_USERS = [
    ("admin@soulseer.test", "Ada Admin", Role.ADMIN),
    ("client@soulseer.test", "Cleo Client", Role.CLIENT),
    ("client2@soulseer.test", "Cass Client", Role.CLIENT),
    ("luna@soulseer.test", "Luna Starweaver", Role.READER),
    ("orion@soulseer.test", "Orion Vale", Role.READER),
    ("sage@soulseer.test", "Sage Moonwater", Role.READER),
    ("iris@soulseer.test", "Iris Nightingale", Role.READER),
]


def seed():
    """Create the demo users that are missing; return lines describing the demo sign-ins."""
    existing = set(db.session.execute(db.select(User.email)).scalars())
    password_hash = None
    for email, name, role in DEMO_USERS:
        if email in existing:
            continue
        password_hash = password_hash or passwords.hash_password(DEMO_PASSWORD)
        _new_user(email, name, role, password_hash)
    db.session.commit()
    _seed_wallets()
    _seed_application()
    _seed_readers()
    db.session.commit()
    _seed_areas()
    lines = [f"Demo sign-ins (password for all: {DEMO_PASSWORD}):"]
    lines += [f"  {role.value:<7} {email}  ({name})" for email, name, role in DEMO_USERS]
    return lines


def _new_user(email, name, role, password_hash):
    """A demo user who can use the site at once: verified, 18+, the current Terms accepted, and a
    reader the current Reader agreement too (no consent step at the first sign-in)."""
    from soulseer.models import AgreementAcceptance

    now = clock.now()
    user = User(
        email=email,
        display_name=name,
        role=role,
        password_hash=password_hash,
        email_verified_at=now,
        adult_confirmed_at=now,
        terms_version=accounts.current_terms_version(),
        terms_accepted_at=now,
    )
    db.session.add(user)
    db.session.flush()
    if role == Role.READER:
        db.session.add(
            AgreementAcceptance(
                user_id=user.id, page_slug=accounts.READER_AGREEMENT, version=accounts.reader_agreement_version()
            )
        )
    return user


def _seed_wallets():
    """The demo clients start with money, credited through the ledger like a top-up (once)."""
    from soulseer.ledger import keys, operations

    for email, cents in (("client@soulseer.test", 5000), ("client2@soulseer.test", 1500)):
        user = db.session.execute(db.select(User).filter_by(email=email)).scalar_one()
        operations.credit_topup(user, cents, keys.demo_credit(email), ("demo", user.id), "Demo credit")


def _seed_application():
    """One reader application waiting in the admin queue."""
    from soulseer.models import ReaderApplication

    email = "nova.applicant@soulseer.test"
    if db.session.execute(db.select(ReaderApplication).filter_by(email=email)).first():
        return
    db.session.add(
        ReaderApplication(
            legal_name="Nova Ellery",
            email=email,
            phone="+1 555 0100",
            years_of_practice=6,
            specialties=["Tarot", "Dreams"],
            modes=["chat", "voice"],
            bio="I have read tarot for six years, mostly for friends and at local fairs, and I keep a dream journal "
            "practice that I teach in small groups.",
            why_soulseer="I like that readers keep most of what they earn and clients pay only for connected time.",
            links="",
            agreement_version=accounts.reader_agreement_version(),
        )
    )


# The marketplace: twelve readers (the four above among them) with profiles and generated photos.
# No reviews are invented: ratings start empty, as they would for new readers.
DEMO_READERS = [
    # email, name, tagline, specialties, years, (chat, voice, video) cents, status, colours
    (
        "luna@soulseer.test",
        "Luna Starweaver",
        "Tarot that speaks softly and truly",
        ("Tarot", "Love & Relationships", "Dreams"),
        12,
        (299, 399, 499),
        "online",
        ("#ff69b4", "#3b1d4a"),
    ),
    (
        "orion@soulseer.test",
        "Orion Vale",
        "Your birth chart, read plainly",
        ("Astrology", "Career & Money"),
        9,
        (350, 450, None),
        "online",
        ("#5b6cff", "#1a1636"),
    ),
    (
        "sage@soulseer.test",
        "Sage Moonwater",
        "Messages from those who have passed",
        ("Mediumship", "Spirit Guides", "Past Lives"),
        20,
        (499, 599, 699),
        "busy",
        ("#3fb5a3", "#10262b"),
    ),
    (
        "iris@soulseer.test",
        "Iris Nightingale",
        "Clarity for the heart",
        ("Love & Relationships", "Clairvoyance"),
        6,
        (199, None, None),
        "offline",
        ("#d4af37", "#2b2110"),
    ),
    (
        "rowan@soulseer.test",
        "Rowan Ashgrove",
        "Energy work and gentle guidance",
        ("Energy Healing", "Spirit Guides"),
        15,
        (250, 300, None),
        "online",
        ("#7ee2a8", "#132a1e"),
    ),
    (
        "celeste@soulseer.test",
        "Celeste Marin",
        "Numbers never lie",
        ("Numerology", "Career & Money"),
        4,
        (150, None, None),
        "offline",
        ("#8fb8ff", "#131d33"),
    ),
    (
        "mira@soulseer.test",
        "Mira Solenne",
        "Dreams decoded, symbols explained",
        ("Dreams", "Tarot"),
        8,
        (225, 325, None),
        "online",
        ("#c78bff", "#24133a"),
    ),
    (
        "theo@soulseer.test",
        "Theo Blackwood",
        "Straight answers from the cards",
        ("Tarot", "Career & Money", "Clairvoyance"),
        11,
        (325, None, 525),
        "offline",
        ("#ff9a6b", "#33180f"),
    ),
    (
        "amara@soulseer.test",
        "Amara Lightfoot",
        "Talk to your animal companions",
        ("Pets", "Energy Healing"),
        5,
        (175, 275, None),
        "online",
        ("#ffd36b", "#2e2410"),
    ),
    (
        "juniper@soulseer.test",
        "Juniper Hale",
        "Past lives, present lessons",
        ("Past Lives", "Mediumship"),
        17,
        (599, 699, 899),
        "offline",
        ("#6bd1ff", "#0f2430"),
    ),
    (
        "soren@soulseer.test",
        "Soren Quill",
        "Astrology for lovers",
        ("Astrology", "Love & Relationships"),
        3,
        (99, None, None),
        "offline",
        ("#ff6b8a", "#30111a"),
    ),
    (
        "wren@soulseer.test",
        "Wren Everly",
        "Intuitive readings, no frills",
        ("Clairvoyance", "Spirit Guides", "Dreams"),
        7,
        (275, 375, None),
        "offline",
        ("#b0e36b", "#1d2a10"),
    ),
]

DEMO_BIO = (
    "{name} has read for clients for {years} years. Sessions are calm and honest: you bring the "
    "question, and {first} listens first, then reads. Expect clear words rather than riddles, and "
    "room for your own questions as the reading unfolds."
)


def _seed_readers():
    """Profiles (and the users for the eight readers beyond DEMO_USERS), once; photos drawn here."""
    from soulseer.models import ReaderProfile, Specialty
    from soulseer.services.marketplace import photos, profiles

    specialties = {s.name: s for s in db.session.execute(db.select(Specialty)).scalars()}
    users = {
        u.email: u for u in db.session.execute(db.select(User).where(User.email.like("%@soulseer.test"))).scalars()
    }
    now = clock.now()
    password_hash = None
    for email, name, tagline, names, years, (chat, voice, video), status, colours in DEMO_READERS:
        user = users.get(email)
        if user is None:
            password_hash = password_hash or passwords.hash_password(DEMO_PASSWORD)
            user = _new_user(email, name, Role.READER, password_hash)
        if profiles.profile_for(user) is not None:
            continue
        chosen = [specialties[n] for n in names if n in specialties] or list(specialties.values())[:1]
        profile = ReaderProfile(
            user_id=user.id,
            slug=profiles.unique_slug(name),
            display_name=name,
            tagline=tagline,
            bio=DEMO_BIO.format(name=name, years=years, first=name.split()[0]),
            tools="Tarot deck, pendulum" if "Tarot" in names else "Intuition, a quiet room",
            languages="English",
            years_of_practice=years,
            rate_chat_cents=chat,
            rate_voice_cents=voice,
            rate_video_cents=video,
            status=status,
            last_seen_at=now if status != "offline" else None,
            specialties=chosen,
            search_text=profiles.search_text_for(name, tagline, [s.name for s in chosen]),
        )
        db.session.add(profile)
        db.session.flush()
        profile.photo_key = photos.store(profile.id, photos.generated_portrait(name[0], *colours))


# Every area shows something on a first `make run`, made through each area's own service as its
# pages would make it (rules, screening and moderation included): Luna takes bookings, the shop
# sells three products, the community has a conversation going, and Cleo has written to Luna.
# Live streams need Agora (docs/streams.md), so none is announced here. Each part is made once:
# it is looked for first, and a part that exists is left as it is, even if someone changed it.


def _seed_areas():
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
