"""The demo's marketplace: twelve readers with profiles and generated photos."""

from soulseer import clock
from soulseer.demo.users import DEMO_PASSWORD, new_user
from soulseer.extensions import db
from soulseer.models import Role, User
from soulseer.services.accounts import passwords

# The marketplace: twelve readers (the four of DEMO_USERS among them) with profiles and generated photos.
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


def seed_readers():
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
            user = new_user(email, name, Role.READER, password_hash)
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
