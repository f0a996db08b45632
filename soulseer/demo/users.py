"""The demo's people: the seven sign-ins (and how any demo user is made, ready to use the site),
the clients' starting money, and one reader application waiting for an admin."""

from soulseer import clock
from soulseer.extensions import db
from soulseer.models import Role, User
from soulseer.services import accounts

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


def new_user(email, name, role, password_hash):
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


def seed_wallets():
    """The demo clients start with money, credited through the ledger like a top-up (once)."""
    from soulseer.ledger import keys, operations

    for email, cents in (("client@soulseer.test", 5000), ("client2@soulseer.test", 1500)):
        user = db.session.execute(db.select(User).filter_by(email=email)).scalar_one()
        operations.credit_topup(user, cents, keys.demo_credit(email), ("demo", user.id), "Demo credit")


def seed_application():
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
