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
    lines = [f"Demo sign-ins (password for all: {DEMO_PASSWORD}):"]
    lines += [f"  {role.value:<7} {email}  ({name})" for email, name, role in DEMO_USERS]
    return lines
