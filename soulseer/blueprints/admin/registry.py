"""The admin area's sections and overview figures (docs/admin.md).

A section is one module of this package with its own nested blueprint; it describes itself with a
`Section` (its place in the navigation, an optional badge, the figures it gives the overview) and is
listed once in `soulseer/blueprints/admin/__init__.py`. Nothing registers itself on import.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from flask import Blueprint, g, request

from soulseer import clock


@dataclass(frozen=True)
class Badge:
    """A count shown next to a section's link on every admin page (hidden at zero). `count` is one
    cheap query; `label` says what the number counts, for screen readers ("3 waiting")."""

    count: Callable[[], int]
    label: str


@dataclass(frozen=True)
class Period:
    """The overview's window: from midnight UTC `days - 1` days ago until now."""

    key: str
    label: str
    days: int

    def bounds(self, now=None):
        now = now or clock.now()
        start = datetime.combine(now.date() - timedelta(days=self.days - 1), time.min, tzinfo=now.tzinfo)
        return start, now


PERIODS = (Period("today", "Today", 1), Period("7d", "7 days", 7), Period("30d", "30 days", 30))


def period_named(key):
    """The period for a `?period=` value; today for anything else."""
    return next((period for period in PERIODS if period.key == key), PERIODS[0])


@dataclass(frozen=True)
class Figure:
    """One number on the overview. `value(start, end)` is one query; figures that describe the
    present (`now=True`) ignore the window. `kind` says how it is shown: count, money (cents) or
    duration (seconds). `singular`/`plural` follow the number ("1 reader", "2 readers")."""

    key: str
    singular: str
    value: Callable[[datetime, datetime], int]
    order: int
    plural: str | None = None
    kind: str = "count"
    now: bool = False
    endpoint: str | None = None
    endpoint_args: dict = field(default_factory=dict)
    attention: bool = False  # highlighted when above zero: something waits for an admin

    def label(self, number):
        return self.singular if number == 1 or self.plural is None else self.plural

    @classmethod
    def waiting(cls, key, singular, plural, count, order, endpoint):
        """What waits on an admin (applications, the moderation queue): `count()` now, linked to the
        list where it is decided, highlighted while above zero."""
        value = lambda start, end: count()  # noqa: E731
        return cls(key, singular, value, order, plural, now=True, endpoint=endpoint, attention=True)


@dataclass(frozen=True)
class Section:
    """One entry of the admin navigation and the pages behind it (a nested blueprint named `key`).
    `links` are the section's own pages, shown as tabs under the navigation when there are two or
    more; the first one is where the navigation link goes."""

    key: str
    label: str
    blueprint: Blueprint
    order: int
    links: tuple = (("index", None),)
    badge: Badge | None = None
    figures: tuple = ()

    @property
    def endpoint(self):
        return f"admin.{self.key}.{self.links[0][0]}"

    def tabs(self):
        return [(f"admin.{self.key}.{name}", label or self.label) for name, label in self.links]


class Registry:
    def __init__(self):
        self.sections = []

    def add(self, section):
        if any(existing.key == section.key for existing in self.sections):
            raise ValueError(f"two admin sections are called {section.key!r}")
        self.sections.append(section)
        self.sections.sort(key=lambda s: (s.order, s.key))

    def figures(self):
        return sorted((f for s in self.sections for f in s.figures), key=lambda f: (f.order, f.key))

    def current(self):
        """The section the request is in (its nested blueprint), or None."""
        name = request.blueprint or ""
        key = name.split(".")[1] if name.startswith("admin.") else None
        return next((s for s in self.sections if s.key == key), None)

    def badges(self):
        """{section key: count} for the sections with a badge, counted once per request."""
        if "admin_badges" not in g:
            g.admin_badges = {s.key: s.badge.count() for s in self.sections if s.badge}
        return g.admin_badges


sections = Registry()
