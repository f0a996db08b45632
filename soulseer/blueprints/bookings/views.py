"""Booking a time with a reader, and the bookings of a client or a reader (docs/bookings.md).

The rules are services/bookings'; refusals are answered with views.refused.
"""

import contextlib
import functools
from datetime import UTC, date, datetime, timedelta

from flask import Response, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape

from soulseer import clock, signed_in_responses
from soulseer.blueprints.bookings import bp
from soulseer.extensions import db, htmx
from soulseer.models import Role
from soulseer.models.booking import CancelledBy
from soulseer.money import format_cents
from soulseer.services import commerce
from soulseer.services.bookings import attending, availability, booking, calendar, feeds, slots, zones
from soulseer.services.bookings.booking import BookingError
from soulseer.services.marketplace import profiles
from soulseer.services.payments import wallet
from soulseer.views import refused, role_required

clients_only = role_required(Role.CLIENT)
people_with_bookings = role_required(Role.CLIENT, Role.READER, Role.ADMIN)


def _profile_or_404(slug):
    profile = profiles.get_by_slug(slug)
    if profile is None or not profiles.is_listed(profile):
        abort(404)
    return profile


def _client_zone():
    """The zone asked for in the URL, else the one stored for the person, else UTC (the page's
    script then asks again with the browser's)."""
    asked = request.values.get("tz", "")
    if zones.valid(asked):
        return asked
    return current_user.time_zone if zones.valid(current_user.time_zone) else zones.DEFAULT


def _start_from(text):
    """The start a slot's link carries (ISO 8601 in UTC), or None."""
    try:
        start = datetime.fromisoformat(text or "")
    except ValueError:
        return None
    return start.astimezone(UTC) if start.tzinfo else None


def _choice(profile, settings):
    """The mode and length asked for, defaulting to the first the reader offers."""
    modes = booking.modes_for(profile)
    mode = request.values.get("mode") or (modes[0][0] if modes else "")
    if mode not in dict(modes) and modes:
        mode = modes[0][0]
    length = request.values.get("length", type=int)
    if length not in settings.lengths:
        length = settings.lengths[0]
    return modes, mode, length


@functools.lru_cache(maxsize=64)
def _zone_options(selected):
    """The zone select's options (every zone of `zones.known()`, `selected` marked), written once
    per selected zone: 430 options drawn by the template on every booking page were a quarter of
    its time (docs/benchmarks.md, "Scheduled readings")."""
    return Markup(  # noqa: S704 (zone names from zoneinfo, each escaped)
        "".join(
            f'<option value="{escape(name)}"{" selected" if name == selected else ""}>{escape(name)}</option>'
            for name in zones.known()
        )
    )


def _picker(profile, status=200, problem=None, day=None, **extra):
    """The booking page: days with free times, the chosen day's times, in the client's zone."""
    settings = availability.settings_for(profile.user_id)
    if not availability.takes_bookings(settings):
        return render_template("bookings/not_taking.html", profile=profile), 404
    now = clock.now()
    client_zone = _client_zone()
    modes, mode, length = _choice(profile, settings)
    span_from = now
    span_to = now + timedelta(days=settings.horizon_days, hours=1)
    schedule = slots.schedule_for(settings, span_from, span_to)
    # The days of the whole horizon with a free time (the cheap pass), the chosen day's times exactly.
    days = slots.free_days(schedule, length, span_from, span_to, now, client_zone)
    chosen_day = day
    with contextlib.suppress(ValueError):
        chosen_day = chosen_day or date.fromisoformat(request.values.get("day", ""))
    if chosen_day not in days:
        chosen_day = next(iter(days), None)
    day_starts = []
    if chosen_day is not None:
        day_starts = slots.starts_on_day(schedule, length, span_from, span_to, now, chosen_day, client_zone)
    context = {
        "profile": profile,
        "settings": settings,
        "modes": modes,
        "mode": mode,
        "length": length,
        "lengths": settings.lengths,
        "prices": {n: availability.price_for(settings, profile, mode, n) for n in settings.lengths} if modes else {},
        "client_zone": client_zone,
        "zone_options": _zone_options(client_zone),
        # This choice's address, written once: each day chip and time adds its `day` or `start`.
        "choice_url": url_for("bookings.book", slug=profile.slug, tz=client_zone, mode=mode, length=length),
        # No zone stored yet: bookings.js stores the browser's (not over a refused one).
        "detect_zone": not request.values.get("tz") and not current_user.time_zone and not extra.get("zone_error"),
        "days": days,
        "chosen_day": chosen_day,
        "day_starts": day_starts,
        "problem": problem,
        "zone_error": None,
        "zones": zones,
        **extra,
    }
    return render_template("bookings/book.html", **context), status


def _confirm(profile, start, status=200, problem=None, **extra):
    """The last step: the time in both zones, the price, the cancellation rules, the balance."""
    settings = availability.settings_for(profile.user_id)
    modes, mode, length = _choice(profile, settings)
    client_zone = _client_zone()
    price = availability.price_for(settings, profile, mode, length)
    free_until = start - booking.FREE_CANCELLATION
    context = {
        "profile": profile,
        "mode": mode,
        "mode_label": dict(modes).get(mode, mode),
        "length": length,
        "start": start,
        "price": price,
        "half": price * booking.LATE_FEE_BPS // 10_000,
        "free_until": free_until,
        "free_until_passed": free_until <= clock.now(),  # less than 24 hours ahead: no free cancellation
        "client_zone": client_zone,
        "reader_zone": settings.time_zone,
        "balance": wallet.balance(current_user),
        "problem": problem,
        "zones": zones,
        **extra,
    }
    return render_template("bookings/confirm.html", **context), status


# The query of a list of times: the links of the page itself (`choice_url`, a day's chip).
PICKER_QUERY = frozenset({"tz", "mode", "length", "day"})


@bp.get("/readers/<slug>/book")
@clients_only
def book(slug):
    profile = _profile_or_404(slug)
    start = _start_from(request.args.get("start"))
    if start is not None:
        return _confirm(profile, start)
    version = slots.version(profile.user_id)  # before the page reads her hours and bookings
    page, status = _picker(profile)
    if status == 200 and version is not None:
        _keep_for_her(profile, version)
    return page, status


def _keep_for_her(profile, version):
    """The client's list of times may be given to her again before Flask (signed_in_responses.py)
    while the reader's slots version, the marketplace version (the reader's profile) and her header
    versions (her zone, her balance) stand, until the minute ends (`slots.same_until`)."""
    signed_in_responses.keep_her_page(
        PICKER_QUERY, until=slots.same_until(clock.now()), also=(slots.version_key(profile.user_id), version)
    )


@bp.post("/readers/<slug>/book")
@clients_only
def create(slug):
    profile = _profile_or_404(slug)
    start = _start_from(request.form.get("start"))
    if start is None:
        return _picker(profile, 422, problem="Choose a time from the list.")
    try:
        settings = booking.bookable_reader(profile)
        _, mode, length = _choice(profile, settings)
        made = booking.book(current_user, profile, mode, length, start, _client_zone())
    except booking.SlotTaken as error:
        db.session.rollback()
        # The same day again, with what is still free on it.
        return _picker(profile, error.status, problem=error.message, day=zones.local(start, _client_zone()).date())
    except commerce.NotEnoughFunds as error:
        return refused(error, functools.partial(_confirm, profile, start, problem=error.message, short=True))
    except (BookingError, commerce.SpendingFrozen, zones.ZoneError) as error:
        return refused(error, functools.partial(_confirm, profile, start, problem=error.message))
    db.session.commit()
    flash("Your reading is booked and paid. The money is held until the reading.", "success")
    target = url_for("bookings.show", booking_id=made.id)
    if htmx:
        return "", 200, {"HX-Redirect": target}
    return redirect(target, 303)


@bp.post("/readers/<slug>/book/time-zone")
@clients_only
def keep_zone(slug):
    """The client's zone, chosen on the booking page (or found by the browser): stored on the
    account, then the same choice drawn again in it."""
    profile = _profile_or_404(slug)
    try:
        zones.keep_for(current_user, request.form.get("time_zone"))
    except zones.ZoneError as error:
        return refused(error, functools.partial(_picker, profile, zone_error=error.message))
    db.session.commit()
    settings = availability.settings_for(profile.user_id)
    _, mode, length = _choice(profile, settings) if availability.takes_bookings(settings) else ((), None, None)
    day = request.form.get("day") or None
    return redirect(url_for("bookings.book", slug=profile.slug, mode=mode, length=length, day=day), 303)


@bp.get("/bookings")
@people_with_bookings
def index():
    upcoming, past = booking.lists_for(current_user)
    # A client's list may be given to her again before Flask while her header versions stand (her
    # bookings, her user row and her calendar feed move hers; the readers' names on their profiles
    # move the marketplace version), until its first upcoming booking ends and leaves the list.
    signed_in_responses.keep_her_page(until=min((item.ends_at for item in upcoming), default=None))
    return _index_page(feed_address=None, lists=(upcoming, past))


def _index_page(feed_address=None, lists=None):
    upcoming, past = lists or booking.lists_for(current_user)
    return render_template(
        "bookings/index.html",
        upcoming=upcoming,
        past=past,
        names=booking.reader_names(upcoming + past),
        zones=zones,
        now=clock.now(),
        feed=feeds.feed_of(current_user) if not current_user.is_admin else None,
        feed_address=feed_address,
    )


@bp.post("/bookings/calendar")
@role_required(Role.CLIENT, Role.READER)
def calendar_feed_change():
    """Turn the private calendar feed on, give it a new address, or turn it off (docs/bookings.md)."""
    action = request.form.get("action")
    if action == "off":
        feeds.turn_off(current_user)
        db.session.commit()
        flash("Your calendar feed is off: its address no longer works.", "success")
        return redirect(url_for("bookings.index"), 303)
    if action != "new":
        abort(400)
    token = feeds.new_address(current_user)
    db.session.commit()
    # Shown this once (only its hash is kept), so this answer is the page itself, never cached.
    address = url_for("bookings.calendar_feed", token=token, _external=True)
    response = make_response(_index_page(feed_address=address))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/bookings/calendar/<token>.ics")
def calendar_feed(token):
    """The private feed a calendar app polls: no sign-in, the token is the key (404 otherwise)."""
    person = feeds.owner(token)
    if person is None:
        abort(404)
    return Response(
        feeds.text_for(person),
        headers={
            "Content-Type": "text/calendar; charset=utf-8",
            "Content-Disposition": 'inline; filename="soulseer-readings.ics"',
            "Cache-Control": "private, no-store",
            "Referrer-Policy": "no-referrer",
        },
    )


def _booking_or_404(booking_id):
    found = booking.for_person(booking_id, current_user)
    if found is None:
        abort(404)
    return found


def _show_page(booking_id, status=200, problem=None):
    found = _booking_or_404(booking_id)
    as_client = current_user.id == found.client_id
    by = (
        CancelledBy.CLIENT
        if as_client
        else CancelledBy.READER
        if current_user.id == found.reader_id
        else CancelledBy.ADMIN
    )
    zone = found.client_time_zone if as_client else found.reader_time_zone
    return (
        render_template(
            "bookings/show.html",
            booking=found,
            as_client=as_client,
            zone=zone,
            other_zone=found.reader_time_zone if as_client else found.client_time_zone,
            reader_name=booking.reader_names([found]).get(found.reader_id, found.reader.display_name),
            terms=booking.terms(found, by),
            reading=attending.reading_for(found),
            opens_at=found.starts_at - attending.OPENS_BEFORE,
            problem=problem,
            zones=zones,
        ),
        status,
    )


@bp.get("/bookings/<int:booking_id>")
@people_with_bookings
def show(booking_id):
    return _show_page(booking_id)


@bp.get("/bookings/<int:booking_id>.ics")
@people_with_bookings
def calendar_file(booking_id):
    """The booking for the person's calendar: the same file the emails carry (next-areas.md S-8)."""
    found = _booking_or_404(booking_id)
    as_client = current_user.id == found.client_id
    other = booking.reader_names([found]).get(found.reader_id) if as_client else found.client.display_name
    method = calendar.method(found)
    return Response(
        calendar.ics(found, other or found.reader.display_name, clock.now()),
        headers={
            "Content-Type": f"text/calendar; charset=utf-8; method={method}",
            "Content-Disposition": f'attachment; filename="reading-{found.id}.ics"',
            "Cache-Control": "private, no-store",
        },
    )


@bp.post("/bookings/<int:booking_id>/cancel")
@people_with_bookings
def cancel(booking_id):
    found = booking.locked(booking_id)
    if found is None or not (found.has(current_user) or current_user.is_admin):
        abort(404)
    try:
        applied = booking.cancel(found, current_user)
    except BookingError as error:
        return refused(error, functools.partial(_show_page, booking_id, problem=error.message))
    db.session.commit()
    back = format_cents(applied.refund)
    if current_user.id != found.client_id:
        flash(f"The booking is cancelled. {back} went back to the client's wallet.", "success")
    elif applied.full:
        flash(f"The booking is cancelled. {back} is back in your wallet.", "success")
    else:
        kept = format_cents(applied.kept)
        flash(
            f"The booking is cancelled. {back} is back in your wallet; {kept} was kept (late cancellation).", "success"
        )
    return redirect(url_for("bookings.show", booking_id=booking_id), 303)
