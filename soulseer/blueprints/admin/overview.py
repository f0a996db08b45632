"""Admin → Overview (/admin): the business in figures for today, 7 or 30 days, and what waits now.

The figures come from every section's `figures` (registry.py); this module gives the business ones.
Definitions (docs/admin.md): a reading counts when it was finalized (settled) in the period.
"""

import sqlalchemy as sa
from flask import Blueprint, request

from soulseer.blueprints.admin.registry import PERIODS, Figure, Section, period_named, sections
from soulseer.extensions import db
from soulseer.ledger import accounts, reads
from soulseer.models import ReaderProfile, ReaderStatus, Reading, ReadingState
from soulseer.views import render

bp = Blueprint("overview", __name__)


def _finalized(start, end):
    return sa.and_(Reading.state == ReadingState.FINALIZED, Reading.finalized_at >= start, Reading.finalized_at < end)


def readings_finalized(start, end):
    return db.session.execute(sa.select(sa.func.count()).where(_finalized(start, end))).scalar_one()


def seconds_billed(start, end):
    """The metered seconds of the readings finalized in the window (what their cost was computed on)."""
    return db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(Reading.metered_ms // 1000), 0)).where(_finalized(start, end))
    ).scalar_one()


def active_readers(start, end):
    """Readers with at least one reading finalized in the window."""
    return db.session.execute(
        sa.select(sa.func.count(sa.distinct(Reading.reader_id))).where(_finalized(start, end))
    ).scalar_one()


def readers_online():
    """Readers clients can see as available or in a reading right now."""
    return db.session.execute(
        sa.select(sa.func.count()).where(ReaderProfile.status.in_((ReaderStatus.ONLINE, ReaderStatus.BUSY)))
    ).scalar_one()


@bp.get("")
def index():
    period = period_named(request.args.get("period"))
    start, end = period.bounds()
    figures = sections.figures()
    return render(
        "admin/overview/index.html",
        "admin/overview/_period.html",
        period=period,
        periods=PERIODS,
        start=start,
        period_figures=[(f, f.value(start, end)) for f in figures if not f.now],
        now_figures=[(f, f.value(start, end)) for f in figures if f.now],
    )


section = Section(
    "overview",
    "Overview",
    bp,
    order=10,
    figures=(
        Figure("readings", "reading", readings_finalized, order=10, plural="readings"),
        Figure("minutes_billed", "minutes billed", seconds_billed, order=20, kind="minutes"),
        Figure("gross", "gross", reads.gross_sales, order=30, kind="money"),
        Figure(
            "platform_revenue",
            "platform revenue",
            lambda start, end: reads.net_change(accounts.PLATFORM_REVENUE, start, end),
            order=40,
            kind="money",
        ),
        Figure("active_readers", "active reader", active_readers, order=50, plural="active readers"),
        Figure(
            "readers_online",
            "reader online",
            lambda start, end: readers_online(),
            order=130,
            plural="readers online",
            now=True,
            endpoint="admin.marketplace.reader_profiles",
        ),
    ),
)
