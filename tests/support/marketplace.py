"""Factories for reader profiles (tests and benchmarks)."""

import io

import sqlalchemy as sa
from PIL import Image

from soulseer import clock
from soulseer.extensions import db
from soulseer.models import ReaderProfile, Specialty
from soulseer.services.marketplace import profiles

BIO = "I have read tarot and the stars for many years, gently and honestly, for people at a crossroads."


def specialty_ids(*names):
    rows = db.session.execute(sa.select(Specialty).where(Specialty.name.in_(names))).scalars()
    return [s.id for s in rows]


def make_profile(user, display_name=None, specialties=("Tarot",), status="offline", rating="0", reviews=0, **rates):
    """A saved, committed profile for `user` (rates in dollars as text, chat 2.00 by default)."""
    data = profiles.ProfileInput(
        display_name=display_name or user.display_name,
        tagline=f"{display_name or user.display_name} reads for you",
        bio=BIO,
        specialty_ids=specialty_ids(*specialties),
        years_of_practice=5,
        rates={"chat": rates.pop("chat", "2.00"), **rates},
    )
    profile = profiles.save_profile(user, data)
    profile.status = status
    # Seen now, as going online sets it: the idle-reader job (live servers' cron) leaves them be.
    profile.last_seen_at = clock.now() if status != "offline" else None
    profile.rating_average = rating
    profile.review_count = reviews
    db.session.commit()
    return db.session.get(ReaderProfile, profile.id)


def image_bytes(fmt="JPEG", size=(800, 600), color=(200, 80, 150), exif=False):
    image = Image.new("RGB", size, color)
    buffer = io.BytesIO()
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SpyCam"  # Make
        data[0x0110] = "Model X"  # Model
        kwargs["exif"] = data.tobytes()
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def luna_and_orion(make_user):
    """Luna (online, 4.2, Tarot) and Orion (offline, 4.9, Astrology); their accounts, for signing in."""
    luna = make_user(role="reader", consented=True, display_name="Luna Starweaver")
    orion = make_user(role="reader", consented=True, display_name="Orion Vale")
    make_profile(luna, "Luna Starweaver", ("Tarot",), status="online", rating="4.20", reviews=10)
    make_profile(orion, "Orion Vale", ("Astrology",), status="offline", rating="4.90", reviews=30)
    return {"luna": luna, "orion": orion}
