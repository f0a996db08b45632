"""Demo data for `make run` and `flask seed-demo`. Idempotent: found by email, created once."""

from soulseer.extensions import db
from soulseer.models import Role, User

DEMO_USERS = [
    ("admin@soulseer.test", "Ada Admin", Role.ADMIN),
    ("client@soulseer.test", "Cleo Client", Role.CLIENT),
    ("client2@soulseer.test", "Cass Client", Role.CLIENT),
    ("reader@soulseer.test", "Luna Starweaver", Role.READER),
]


def seed():
    """Create the demo users that are missing; return lines describing the demo sign-ins."""
    existing = set(db.session.execute(db.select(User.email)).scalars())
    for email, name, role in DEMO_USERS:
        if email not in existing:
            db.session.add(User(email=email, display_name=name, role=role))
    db.session.commit()
    return [f"Demo {role.value}: {name} <{email}>" for email, name, role in DEMO_USERS]
