"""Demo data for `make run` and `flask seed-demo`. Idempotent: found by email, created once.

users.py    the sign-ins, the clients' starting money, a reader application waiting
readers.py  the marketplace's twelve readers, their profiles and photos
areas.py    bookings, the shop, the community and messages, made through each area's services
"""

from soulseer.demo.areas import seed_areas
from soulseer.demo.readers import seed_readers
from soulseer.demo.users import DEMO_PASSWORD, DEMO_USERS, new_user, seed_application, seed_wallets
from soulseer.extensions import db
from soulseer.models import User
from soulseer.services.accounts import passwords


def seed():
    """Create the demo users that are missing; return lines describing the demo sign-ins."""
    existing = set(db.session.execute(db.select(User.email)).scalars())
    password_hash = None
    for email, name, role in DEMO_USERS:
        if email in existing:
            continue
        password_hash = password_hash or passwords.hash_password(DEMO_PASSWORD)
        new_user(email, name, role, password_hash)
    db.session.commit()
    seed_wallets()
    seed_application()
    seed_readers()
    db.session.commit()
    seed_areas()
    lines = [f"Demo sign-ins (password for all: {DEMO_PASSWORD}):"]
    lines += [f"  {role.value:<7} {email}  ({name})" for email, name, role in DEMO_USERS]
    return lines
