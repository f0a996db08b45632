"""Reader profiles, browse and search, favourites, and the specialties list the admin keeps.

Functions raise AccountError (message, field) for bad input and change nothing when they raise;
callers commit. Status ('online' / 'busy' / 'offline') is written elsewhere; here it is only read.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import load_only, selectinload

from soulseer.extensions import db
from soulseer.models import Favourite, ReaderProfile, ReaderStatus, Role, Specialty, User, UserStatus
from soulseer.models.marketplace import reader_profile_specialties
from soulseer.models.reading import MODE_LABELS, MODES
from soulseer.money import AmountError, parse_cents
from soulseer.services import audit, commerce
from soulseer.services.accounts import AccountError, ChangeRefused, export_section, iso
from soulseer.services.moderation import automatic
from soulseer.services.readings import agora

TAGLINE_MAX = 120
BIO_MIN, BIO_MAX = 50, 2000
MIN_SPECIALTIES, MAX_SPECIALTIES = 1, 10
MIN_YEARS, MAX_YEARS = 0, 80
TEXT_MAX = 200  # tools, languages
NAME_MIN, NAME_MAX = 2, 80
PAGE_SIZE = 12
SPECIALTY_NAME_MAX = 60
RATING_CHOICES = [("", "Any rating"), ("3", "3 stars and up"), ("4", "4 stars and up"), ("4.5", "4.5 stars and up")]


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


def profile_for(user):
    """The reader profile of a user (a User or a user id), or None: the one lookup of it."""
    user_id = user if isinstance(user, int) else user.id
    return db.session.execute(sa.select(ReaderProfile).filter_by(user_id=user_id)).scalar_one_or_none()


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


def specialties_in_order():
    return list(db.session.execute(sa.select(Specialty).order_by(Specialty.position, Specialty.id)).scalars())


@dataclass(frozen=True)
class SpecialtyChoice:
    id: int
    name: str


def specialty_choices():
    """[SpecialtyChoice] in the admin's order, for the browse form; read once per marketplace
    version (a specialty added, renamed, moved or removed moves it)."""
    from soulseer.services import marketplace_cache

    def load():
        rows = db.session.execute(sa.select(Specialty.id, Specialty.name).order_by(Specialty.position, Specialty.id))
        return [list(row) for row in rows]

    return [SpecialtyChoice(id, name) for id, name in marketplace_cache.value("specialty-choices", load)]


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
    bounds = f"between ${low // 100}.{low % 100:02d} and ${high // 100}.{high % 100:02d}"
    try:
        cents = parse_cents(text)
    except AmountError as exc:
        raise AccountError(f"Enter a rate in dollars {bounds}, like 2.50, or leave it empty.", f"rate_{mode}") from exc
    if not low <= cents <= high:
        raise AccountError(f"Choose a rate {bounds} per minute, or leave it empty.", f"rate_{mode}")
    return cents


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


# Browse ------------------------------------------------------------------------------------


@dataclass
class BrowseFilters:
    q: str = ""
    mode: str = ""
    specialty: int | None = None
    price_min: int | None = None  # cents per minute
    price_max: int | None = None
    online: bool = False
    rating: Decimal | None = None
    page: int = 1

    @property
    def active(self):
        return bool(
            self.q
            or self.mode
            or self.specialty
            or self.price_min is not None
            or self.price_max is not None
            or self.online
            or self.rating
        )

    def query_args(self, **changes):
        """URL parameters for these filters (defaults left out), with `changes` applied."""
        values = {
            "q": self.q,
            "mode": self.mode,
            "specialty": self.specialty,
            "price_min": _dollars(self.price_min),
            "price_max": _dollars(self.price_max),
            "online": "1" if self.online else "",
            "rating": str(self.rating) if self.rating else "",
            "page": self.page,
        }
        values.update(changes)
        if values["page"] == 1:
            values["page"] = ""  # the first page is the default, left out
        return {key: value for key, value in values.items() if value not in ("", None)}


def _dollars(cents):
    if cents is None:
        return ""
    return f"{cents // 100}" if cents % 100 == 0 else f"{cents // 100}.{cents % 100:02d}"


def parse_filters(args):
    """Filters from URL parameters (a mapping). Unknown or malformed values are ignored."""
    filters = BrowseFilters()
    filters.q = " ".join((args.get("q") or "").split())[:100]
    mode = args.get("mode") or ""
    filters.mode = mode if mode in available_modes() else ""
    specialty = args.get("specialty") or ""
    filters.specialty = int(specialty) if specialty.isdigit() and len(specialty) < 9 else None
    for name in ("price_min", "price_max"):
        try:
            setattr(filters, name, parse_cents(args.get(name)) if (args.get(name) or "").strip() else None)
        except AmountError:
            setattr(filters, name, None)
    filters.online = args.get("online") in ("1", "on", "true")
    rating = args.get("rating") or ""
    filters.rating = Decimal(rating) if rating in {value for value, _ in RATING_CHOICES if value} else None
    page = args.get("page") or ""
    filters.page = min(int(page), 10_000) if page.isdigit() and int(page) > 0 else 1
    return filters


def tsquery_for(text):
    """Every word as a prefix ('tar' finds Tarot); words only, so user input cannot break the syntax."""
    words = re.findall(r"\w+", text.lower())[:8]
    return " & ".join(f"{word}:*" for word in words)


def listed_profiles():
    """Profiles clients may see: not hidden, account active and a reader, reachable by some mode."""
    modes = available_modes()
    return (
        sa.select(ReaderProfile)
        .join(User, User.id == ReaderProfile.user_id)
        .where(
            ReaderProfile.hidden.is_(False),
            User.status == UserStatus.ACTIVE,
            User.role == Role.READER,
            sa.or_(*[getattr(ReaderProfile, f"rate_{code}_cents").isnot(None) for code in modes]),
        )
    )


STATUS_ORDER = sa.case(
    (ReaderProfile.status == ReaderStatus.ONLINE, 0), (ReaderProfile.status == ReaderStatus.BUSY, 1), else_=2
)
BROWSE_ORDER = (
    STATUS_ORDER,
    ReaderProfile.rating_average.desc(),
    ReaderProfile.review_count.desc(),
    ReaderProfile.display_name,
    ReaderProfile.id,
)


def _price_column(mode):
    if mode:
        return getattr(ReaderProfile, f"rate_{mode}_cents")
    columns = [getattr(ReaderProfile, f"rate_{code}_cents") for code in available_modes()]
    return columns[0] if len(columns) == 1 else sa.func.least(*columns)


def filtered(filters):
    statement = listed_profiles()
    if filters.q:
        query = tsquery_for(filters.q)
        if query:
            statement = statement.where(
                ReaderProfile.search_vector.op("@@")(sa.func.to_tsquery(sa.literal_column("'simple'"), query))
            )
    if filters.mode:
        statement = statement.where(getattr(ReaderProfile, f"rate_{filters.mode}_cents").isnot(None))
    if filters.specialty:
        statement = statement.where(
            ReaderProfile.id.in_(
                sa.select(reader_profile_specialties.c.reader_profile_id).where(
                    reader_profile_specialties.c.specialty_id == filters.specialty
                )
            )
        )
    price = _price_column(filters.mode)
    if filters.price_min is not None:
        statement = statement.where(price >= filters.price_min)
    if filters.price_max is not None:
        statement = statement.where(price <= filters.price_max)
    if filters.online:
        statement = statement.where(ReaderProfile.status == ReaderStatus.ONLINE)
    if filters.rating:
        statement = statement.where(ReaderProfile.rating_average >= filters.rating)
    return statement


@dataclass
class BrowsePage:
    readers: list
    total: int
    page: int
    pages: int

    @property
    def has_next(self):
        return self.page < self.pages

    @property
    def has_previous(self):
        return self.page > 1


# What a card shows (readers/_reader_card.html): the page query loads these columns and nothing
# else (not the bio, the search text or its tsvector), and the specialties in one more statement.
CARD_COLUMNS = (
    ReaderProfile.id,
    ReaderProfile.user_id,
    ReaderProfile.slug,
    ReaderProfile.display_name,
    ReaderProfile.photo_key,
    ReaderProfile.tagline,
    ReaderProfile.rate_chat_cents,
    ReaderProfile.rate_voice_cents,
    ReaderProfile.rate_video_cents,
    ReaderProfile.rating_average,
    ReaderProfile.review_count,
    ReaderProfile.status,
)


def card_options():
    return (load_only(*CARD_COLUMNS), selectinload(ReaderProfile.specialties))


def browse(filters, page_size=None):
    """One page of readers: online first, then by rating. One statement for the page and the total
    (`count(*) OVER ()`), one for the page's specialties; a page past the end costs one count more."""
    page_size = page_size or PAGE_SIZE
    statement = filtered(filters).add_columns(sa.func.count().over().label("total")).options(*card_options())

    def rows_of(page):
        ordered = statement.order_by(*BROWSE_ORDER).limit(page_size).offset((page - 1) * page_size)
        return db.session.execute(ordered).all()

    page = filters.page
    rows = rows_of(page)
    if rows:
        total = rows[0].total
    elif page == 1:
        total = 0
    else:  # past the end: show the last page
        total = db.session.execute(sa.select(sa.func.count()).select_from(filtered(filters).subquery())).scalar_one()
        page = max(1, -(-total // page_size))
        rows = rows_of(page) if total else []
    pages = max(1, -(-total // page_size))
    return BrowsePage(readers=[row[0] for row in rows], total=total, page=page, pages=pages)


def canonical_query(filters):
    """The query string of these filters' own URL: defaults left out, in a fixed order. The list's
    HTMX answers push it (so the address bar shows `?q=tarot`, not every empty field of the form),
    and a visitor's page at that URL may be shared whole (soulseer/visitor_responses.py)."""
    return urlencode(list(filters.query_args().items()))


def cache_variant(filters, page_size=None):
    """The part of the browse cache key that says which list this is: the normalized filters
    (defaults left out, in a fixed order), the page size and the modes SoulSeer can run now."""
    args = sorted(filters.query_args(page=filters.page).items())
    return urlencode([*args, ("size", page_size or PAGE_SIZE), ("modes", ",".join(available_modes()))])


def online_now(limit=6):
    return list(
        db.session.execute(
            listed_profiles()
            .where(ReaderProfile.status == ReaderStatus.ONLINE)
            .options(selectinload(ReaderProfile.specialties))
            .order_by(*BROWSE_ORDER)
            .limit(limit)
        ).scalars()
    )


# Favourites --------------------------------------------------------------------------------


def is_favourite(client, profile):
    return (
        db.session.execute(
            sa.select(Favourite.client_id).filter_by(client_id=client.id, reader_profile_id=profile.id)
        ).first()
        is not None
    )


def set_favourite(client, profile, on):
    """Add or remove; safe to repeat (a double click changes nothing the second time)."""
    if on:
        db.session.execute(
            pg_insert(Favourite).values(client_id=client.id, reader_profile_id=profile.id).on_conflict_do_nothing()
        )
    else:
        db.session.execute(sa.delete(Favourite).filter_by(client_id=client.id, reader_profile_id=profile.id))
    return on


def favourites_of(client):
    """The client's favourite readers that are listed, online first."""
    return list(
        db.session.execute(
            listed_profiles()
            .join(Favourite, Favourite.reader_profile_id == ReaderProfile.id)
            .where(Favourite.client_id == client.id)
            .options(selectinload(ReaderProfile.specialties))
            .order_by(*BROWSE_ORDER)
        ).scalars()
    )


# The specialties list (admin) ---------------------------------------------------------------


def _clean_specialty_name(name):
    name = " ".join((name or "").split())
    if not 2 <= len(name) <= SPECIALTY_NAME_MAX:
        raise AccountError(f"Enter a name of 2 to {SPECIALTY_NAME_MAX} characters.", "name")
    return name


def _name_taken(name, specialty_id=None):
    return (
        db.session.execute(
            sa.select(Specialty.id).where(
                sa.func.lower(Specialty.name) == name.lower(), Specialty.id != (specialty_id or 0)
            )
        ).first()
        is not None
    )


def add_specialty(admin, name):
    name = _clean_specialty_name(name)
    if _name_taken(name):
        raise AccountError("That specialty is already on the list.", "name")
    position = db.session.execute(sa.select(sa.func.coalesce(sa.func.max(Specialty.position), -1))).scalar_one() + 1
    specialty = Specialty(name=name, position=position)
    db.session.add(specialty)
    db.session.flush()
    audit.record(admin, "specialty.added", specialty, after={"name": name, "position": position})
    return specialty


def rename_specialty(admin, specialty, name):
    name = _clean_specialty_name(name)
    if name == specialty.name:
        raise AccountError("That is already its name.", "name")
    if _name_taken(name, specialty.id):
        raise AccountError("That specialty is already on the list.", "name")
    before = specialty.name
    specialty.name = name
    db.session.flush()
    used_by = sa.select(reader_profile_specialties.c.reader_profile_id).where(
        reader_profile_specialties.c.specialty_id == specialty.id
    )
    refresh_search_text(list(db.session.execute(used_by).scalars()))
    audit.record(admin, "specialty.renamed", specialty, before={"name": before}, after={"name": name})
    return specialty


def move_specialty(admin, specialty, direction):
    """Swap with the neighbour above (-1) or below (+1); positions are renumbered 0..n-1."""
    ordered = specialties_in_order()
    index = ordered.index(specialty)
    target = index + (1 if direction > 0 else -1)
    if not 0 <= target < len(ordered):
        raise AccountError("It is already at the " + ("bottom." if direction > 0 else "top."), None)
    before = [s.name for s in ordered]
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, item in enumerate(ordered):
        item.position = position
    audit.record(
        admin, "specialty.moved", specialty, before={"order": before}, after={"order": [s.name for s in ordered]}
    )


def specialty_usage():
    """{specialty id: number of reader profiles using it}."""
    rows = db.session.execute(
        sa.select(reader_profile_specialties.c.specialty_id, sa.func.count()).group_by(
            reader_profile_specialties.c.specialty_id
        )
    )
    return dict(rows.all())


def remove_specialty(admin, specialty):
    if specialty_usage().get(specialty.id):
        raise ChangeRefused("Readers list this specialty, so it cannot be removed. Rename it instead.")
    audit.record(admin, "specialty.removed", specialty, before={"name": specialty.name, "position": specialty.position})
    db.session.delete(specialty)


# The data export (account page) -----------------------------------------------------------


@export_section("favourites")
def _export_favourites(user):
    rows = db.session.execute(
        sa.select(ReaderProfile.display_name, ReaderProfile.slug, Favourite.created_at)
        .join(Favourite, Favourite.reader_profile_id == ReaderProfile.id)
        .where(Favourite.client_id == user.id)
        .order_by(Favourite.created_at)
    )
    return [{"reader": name, "slug": slug, "added_at": iso(added)} for name, slug, added in rows]


@export_section("reader_profile")
def _export_profile(user):
    profile = profile_for(user)
    if profile is None:
        return None
    data = snapshot(profile)
    data.update(created_at=iso(profile.created_at), updated_at=iso(profile.updated_at))
    return data
