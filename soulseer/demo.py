"""Demo data for `make run` and `flask seed-demo`. Idempotent: found by email, created once."""

from soulseer import clock
from soulseer.extensions import db
from soulseer.models import Role, User
from soulseer.services import accounts, passwords

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
    now = clock.now()
    for email, name, role in DEMO_USERS:
        if email in existing:
            continue
        password_hash = password_hash or passwords.hash_password(DEMO_PASSWORD)
        db.session.add(
            User(
                email=email,
                display_name=name,
                role=role,
                password_hash=password_hash,
                email_verified_at=now,
                adult_confirmed_at=now,
                terms_version=accounts.current_terms_version(),
                terms_accepted_at=now,
            )
        )
    db.session.commit()
    _seed_wallets()
    _seed_application()
    db.session.commit()
    lines = [f"Demo sign-ins (password for all: {DEMO_PASSWORD}):"]
    lines += [f"  {role.value:<7} {email}  ({name})" for email, name, role in DEMO_USERS]
    return lines


def _seed_wallets():
    """The demo clients start with money, credited through the ledger like a top-up (once)."""
    from soulseer.ledger import operations

    for email, cents in (("client@soulseer.test", 5000), ("client2@soulseer.test", 1500)):
        user = db.session.execute(db.select(User).filter_by(email=email)).scalar_one()
        operations.credit_topup(user, cents, f"demo:topup:{email}", ("demo", user.id), "Demo credit")


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
