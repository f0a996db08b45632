"""Browse and search: the filters, the listed readers in their order, pages of cards, the
canonical query a filtered list is cached and shared under (docs/marketplace.md)."""

import re
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

import sqlalchemy as sa
from sqlalchemy.orm import load_only, selectinload

from soulseer.extensions import db
from soulseer.models import ReaderProfile, ReaderStatus, Role, User, UserStatus
from soulseer.models.marketplace import reader_profile_specialties
from soulseer.money import AmountError, parse_cents
from soulseer.services.marketplace.profiles import available_modes

PAGE_SIZE = 12
RATING_CHOICES = [("", "Any rating"), ("3", "3 stars and up"), ("4", "4 stars and up"), ("4.5", "4.5 stars and up")]


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
    ReaderProfile.busy_scheduled,
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
