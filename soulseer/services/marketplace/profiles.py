"""Reader profiles: what a reader shows clients (rates, bio, specialties...), its validation and
saving, whether it is listed, and the rates this server can offer (PRODUCT.md §3).

Functions raise AccountError (message, field) for bad input and change nothing when they raise;
callers commit. Status (online / busy / offline) is reader_status.py's; here it is only read.
"""

import re
import unicodedata
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from soulseer.extensions import db
from soulseer.models import ReaderProfile, ReaderStatus, Role, Specialty, User, UserStatus
from soulseer.models.base import one_of
from soulseer.models.marketplace import reader_profile_specialties
from soulseer.models.reading import MODE_LABELS, MODES
from soulseer.money import price_between
from soulseer.services import commerce
from soulseer.services.accounts import AccountError
from soulseer.services.core import after_commit, audit
from soulseer.services.core.data_export import export_section, iso
from soulseer.services.moderation import automatic
from soulseer.services.readings import agora

TAGLINE_MAX = 120
BIO_MIN, BIO_MAX = 50, 2000
MIN_SPECIALTIES, MAX_SPECIALTIES = 1, 10
MIN_YEARS, MAX_YEARS = 0, 80
TEXT_MAX = 200  # tools, languages
NAME_MIN, NAME_MAX = 2, 80


# Settings ----------------------------------------------------------------------------------


def available_modes():
    """The modes this server can run (agora.modes_available), as codes."""
    return [str(mode) for mode in agora.modes_available()]


def share_label(profile=None):
    """'70%' or '72.5%': the reader's share (commerce.share_for), or the platform's setting."""
    return commerce.share_percent(commerce.share_for(profile) if profile is not None else commerce.default_share_bps())


def offered_rates(profile):
    """[(mode, label, cents)] for the modes the reader offers that SoulSeer can run now."""
    return [
        (code, MODE_LABELS[code], profile.rate_for(code))
        for code in available_modes()
        if profile.rate_for(code) is not None
    ]


# Profiles ----------------------------------------------------------------------------------


PRELOADED = "reader_profiles"


def profile_for(user):
    """The reader profile of a user (a User or a user id), or None: the one lookup of it."""
    user_id = user if isinstance(user, int) else user.id
    preloaded = after_commit.transaction_memo(PRELOADED)
    if user_id in preloaded:
        return preloaded[user_id]
    return db.session.execute(sa.select(ReaderProfile).filter_by(user_id=user_id)).scalar_one_or_none()


def preload(user_ids):
    """Read the profiles of `user_ids` (None for those who have none) in one query, and have
    profile_for answer them from memory until the transaction ends: for a batch that looks each
    one up (the bookings' tick cancels hundreds of readings), in which no profile is made or
    deleted. Returns {user id: profile or None}."""
    found = profiles_for(user_ids)
    preloaded = after_commit.transaction_memo(PRELOADED)
    for user_id in user_ids:
        preloaded[user_id] = found.get(user_id)
    return {user_id: preloaded[user_id] for user_id in user_ids}


def profiles_for(user_ids):
    """{user id: reader profile} of those of `user_ids` that have one, in one query."""
    return {
        profile.user_id: profile
        for profile in db.session.execute(
            sa.select(ReaderProfile).where(one_of(ReaderProfile.user_id, user_ids))
        ).scalars()
    }


def get_by_slug(slug):
    return db.session.execute(
        sa.select(ReaderProfile).filter_by(slug=slug).options(selectinload(ReaderProfile.specialties))
    ).scalar_one_or_none()


def is_listed(profile):
    """Visible to clients: not hidden, the account active and still a reader."""
    user = db.session.get(User, profile.user_id)
    return not profile.hidden and user.status == UserStatus.ACTIVE and user.role == Role.READER


def slugify(text):
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or "reader"
    return f"reader-{slug}" if slug.isdigit() else slug


def unique_slug(display_name, profile_id=None):
    base = slugify(display_name)
    taken = set(
        db.session.execute(
            sa.select(ReaderProfile.slug).where(
                ReaderProfile.slug.like(f"{base}%"), ReaderProfile.id != (profile_id or 0)
            )
        ).scalars()
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def search_text_for(display_name, tagline, specialty_names):
    return " ".join([display_name, tagline, *specialty_names])


@dataclass
class ProfileInput:
    """What the editor sends, as text (rates in dollars, '' = off)."""

    display_name: str
    tagline: str = ""
    bio: str = ""
    specialty_ids: list = field(default_factory=list)
    tools: str = ""
    languages: str = ""
    years_of_practice: object = 0
    rates: dict = field(default_factory=dict)  # {"chat": "2.50", "voice": "", ...}


def parse_rate(text, mode):
    """Dollars per minute as text -> cents, None when empty (the mode is off). AccountError otherwise."""
    text = (text or "").strip()
    if not text:
        return None
    config = current_app.config
    low, high = config["READER_RATE_MIN_CENTS"], config["READER_RATE_MAX_CENTS"]
    return price_between(
        text, low, high, lambda message: AccountError(message, f"rate_{mode}"),
        "Enter a rate in dollars between {low} and {high}, like 2.50, or leave it empty.",
        "Choose a rate between {low} and {high} per minute, or leave it empty.",
    )  # fmt: skip


def validate(data, current=None):
    """Check every rule; return the clean values. Raises AccountError on the first problem."""
    name = " ".join((data.display_name or "").split())
    if not NAME_MIN <= len(name) <= NAME_MAX:
        raise AccountError(f"Enter a display name of {NAME_MIN} to {NAME_MAX} characters.", "display_name")
    tagline = " ".join((data.tagline or "").split())
    if len(tagline) > TAGLINE_MAX:
        raise AccountError(f"Keep the tagline to {TAGLINE_MAX} characters.", "tagline")
    bio = (data.bio or "").strip().replace("\r\n", "\n")
    if not BIO_MIN <= len(bio) <= BIO_MAX:
        raise AccountError(f"Write between {BIO_MIN} and {BIO_MAX} characters about yourself.", "bio")
    try:
        ids = list(dict.fromkeys(int(value) for value in data.specialty_ids or []))
    except (TypeError, ValueError) as exc:
        raise AccountError("Choose specialties from the list.", "specialties") from exc
    chosen = list(db.session.execute(sa.select(Specialty).where(Specialty.id.in_(ids))).scalars()) if ids else []
    if len(chosen) != len(ids):
        raise AccountError("Choose specialties from the list.", "specialties")
    if not MIN_SPECIALTIES <= len(chosen) <= MAX_SPECIALTIES:
        raise AccountError(f"Choose between {MIN_SPECIALTIES} and {MAX_SPECIALTIES} specialties.", "specialties")
    tools = " ".join((data.tools or "").split())
    if len(tools) > TEXT_MAX:
        raise AccountError(f"Keep this to {TEXT_MAX} characters.", "tools")
    languages = " ".join((data.languages or "").split())
    if len(languages) > TEXT_MAX:
        raise AccountError(f"Keep this to {TEXT_MAX} characters.", "languages")
    try:
        years = int(data.years_of_practice)
    except (TypeError, ValueError) as exc:
        raise AccountError(f"Enter a number from {MIN_YEARS} to {MAX_YEARS}.", "years_of_practice") from exc
    if not MIN_YEARS <= years <= MAX_YEARS:
        raise AccountError(f"Enter a number from {MIN_YEARS} to {MAX_YEARS}.", "years_of_practice")
    rates = {}
    for code, label in MODES:
        cents = parse_rate((data.rates or {}).get(code), code)
        # Keep a rate the reader had (Agora may come back); refuse turning a mode on.
        turning_on = current is None or current.rate_for(code) != cents
        if cents is not None and code not in available_modes() and turning_on:
            raise AccountError(
                f"{label} readings need Agora, which SoulSeer has not set up yet. Leave this empty for now.",
                f"rate_{code}",
            )
        rates[code] = cents
    if not any(rates[code] is not None for code in available_modes()):
        raise AccountError("Set a rate for at least one way of reading, so clients can reach you.", "rate_chat")
    return {
        "display_name": name,
        "tagline": tagline,
        "bio": bio,
        "specialties": sorted(chosen, key=lambda s: (s.position, s.id)),
        "tools": tools,
        "languages": languages,
        "years_of_practice": years,
        "rates": rates,
    }


def snapshot(profile):
    """The editable state, for the audit log's before/after."""
    if profile is None:
        return None
    return {
        "display_name": profile.display_name,
        "slug": profile.slug,
        "tagline": profile.tagline,
        "bio": profile.bio,
        "specialties": [s.name for s in profile.specialties],
        "tools": profile.tools,
        "languages": profile.languages,
        "years_of_practice": profile.years_of_practice,
        "rate_chat_cents": profile.rate_chat_cents,
        "rate_voice_cents": profile.rate_voice_cents,
        "rate_video_cents": profile.rate_video_cents,
        "share_override_bp": profile.share_override_bp,
        "hidden": profile.hidden,
        "photo_key": profile.photo_key,
    }


def save_profile(user, data, photo_prefix=None, profile=None):
    """Create or update `user`'s profile from ProfileInput. Returns the profile (not committed)."""
    profile = profile or profile_for(user)
    clean = validate(data, current=profile)
    before = {"tagline": profile.tagline, "bio": profile.bio} if profile else {}
    if profile is None or profile.display_name != clean["display_name"]:
        # The slug follows the name: a reader invited under a legal name can leave it behind.
        slug = unique_slug(clean["display_name"], profile.id if profile else None)
    else:
        slug = profile.slug
    if profile is None:
        profile = ReaderProfile(user_id=user.id, status=ReaderStatus.OFFLINE)
        db.session.add(profile)
    profile.slug = slug
    profile.display_name = clean["display_name"]
    profile.tagline = clean["tagline"]
    profile.bio = clean["bio"]
    profile.specialties = clean["specialties"]
    profile.tools = clean["tools"]
    profile.languages = clean["languages"]
    profile.years_of_practice = clean["years_of_practice"]
    for code, cents in clean["rates"].items():
        setattr(profile, f"rate_{code}_cents", cents)
    if photo_prefix:
        profile.photo_key = photo_prefix
    profile.search_text = search_text_for(profile.display_name, profile.tagline, [s.name for s in profile.specialties])
    db.session.flush()
    # Screening on create and edit, of what changed (an unchanged bio is not flagged again).
    changed = {name for name in ("tagline", "bio") if getattr(profile, name) != before.get(name)}
    automatic.screen("reader_profile", profile, fields=changed)
    return profile


def admin_update_profile(admin, profile, data, share_override_bp, reason=None):
    before = snapshot(profile)
    user = db.session.get(User, profile.user_id)
    save_profile(user, data, profile=profile)
    profile.share_override_bp = share_override_bp
    after = snapshot(profile)
    if before == after:
        raise AccountError("Nothing changed.", None)
    audit.record(admin, "reader_profile.edited", profile, before=before, after=after, reason=reason)
    return profile


def refresh_search_text(profile_ids=None):
    """Recompute search_text (after a specialty is renamed) in one statement."""
    names = (
        sa.select(sa.func.coalesce(sa.func.string_agg(Specialty.name, " "), ""))
        .select_from(reader_profile_specialties.join(Specialty))
        .where(reader_profile_specialties.c.reader_profile_id == ReaderProfile.id)
        .scalar_subquery()
    )
    statement = sa.update(ReaderProfile).values(
        search_text=ReaderProfile.display_name + " " + ReaderProfile.tagline + " " + names
    )
    if profile_ids is not None:
        statement = statement.where(ReaderProfile.id.in_(profile_ids))
    db.session.execute(statement)


@export_section("reader_profile")
def _export_profile(user):
    profile = profile_for(user)
    if profile is None:
        return None
    data = snapshot(profile)
    data.update(created_at=iso(profile.created_at), updated_at=iso(profile.updated_at))
    return data
