from flask import abort, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from soulseer import visitor_responses
from soulseer.blueprints.readers import bp
from soulseer.extensions import db, htmx
from soulseer.models import ReaderProfile, Role
from soulseer.models.reading import MODES
from soulseer.services.bookings import availability
from soulseer.services.marketplace import favourites, page_cache, photos, profiles, search, specialties
from soulseer.views import role_required


@bp.app_template_global()
def reader_photo_url(profile, size):
    return photos.url(profile.photo_key, size)


@bp.app_context_processor
def marketplace_globals():
    return {"mode_labels": dict(MODES), "offered_rates": profiles.offered_rates}


@bp.get("/readers")
def browse():
    """Full page or (HTMX) the list alone, from the shared cache (services/marketplace/page_cache.py):
    a visitor's whole page; for signed-in people the part every viewer sees alike, inside their own
    header."""
    filters = search.parse_filters(request.args)
    query = search.canonical_query(filters)
    if htmx and not htmx.boosted:
        # Every HTMX request of the list (filters, pages) goes into history: with the filters' own URL.
        response = make_response(_browse_part("readers/_results.html", filters))
        response.headers["HX-Push-Url"] = url_for("readers.browse") + (f"?{query}" if query else "")
        return response
    return visitor_responses.page_for_visitors(
        "readers/browse.html",
        search.cache_variant(filters),
        lambda: {"browse_section": _browse_part("readers/_browse.html", filters)},
        query=query,
    )


def _browse_context(filters, sheet_open=False):
    return {
        "filters": filters,
        "results": search.browse(filters),
        "specialties": specialties.specialty_choices(),
        "available_modes": profiles.available_modes(),
        "rating_choices": search.RATING_CHOICES,
        "sheet_open": sheet_open,
    }


def _browse_part(template, filters):
    return page_cache.html(
        template, search.cache_variant(filters), lambda: render_template(template, **_browse_context(filters))
    )


@bp.get("/readers/filters")
def filter_sheet():
    """The filter sheet, open (`sheet=open`) or closed, for the browse form's current values. HTMX
    swaps it in place; without JavaScript the list's page comes with the sheet open."""
    filters = search.parse_filters(request.args)
    sheet_open = request.args.get("sheet") == "open"
    if htmx:
        return render_template("readers/_filter_sheet.html", **_browse_context(filters, sheet_open))
    section = Markup(render_template("readers/_browse.html", **_browse_context(filters, sheet_open)))  # noqa: S704
    return render_template("readers/browse.html", browse_section=section)


def _listed_or_404(slug):
    profile = profiles.get_by_slug(slug)
    if profile is None:
        abort(404)
    # Hidden profiles stay reachable for the reader themself and for admins, marked as hidden.
    insider = current_user.is_authenticated and (current_user.id == profile.user_id or current_user.is_admin)
    if not insider and not profiles.is_listed(profile):
        abort(404)
    return profile


@bp.get("/readers/<slug>")
def show(slug):
    if slug.isdigit():  # /readers/<id> works too, and settles on the slug
        profile = db.session.get(ReaderProfile, int(slug))
        if profile is None:
            abort(404)
        return redirect(url_for("readers.show", slug=profile.slug), 301)
    profile = _listed_or_404(slug)
    favourite = (
        favourites.is_favourite(current_user, profile)
        if current_user.is_authenticated and current_user.role == Role.CLIENT
        else False
    )
    return render_template(
        "readers/show.html",
        profile=profile,
        favourite=favourite,
        share=profiles.share_label(profile),
        rates=profiles.offered_rates(profile),
        listed=profiles.is_listed(profile),
        bookable=availability.takes_bookings(availability.settings_for(profile.user_id)),
    )


@bp.post("/readers/<slug>/favourite")
@role_required(Role.CLIENT)
def favourite(slug):
    profile = _listed_or_404(slug)
    on = request.form.get("favourite") == "1"
    favourites.set_favourite(current_user, profile, on)
    db.session.commit()
    if htmx:
        return render_template("readers/_favourite_button.html", profile=profile, favourite=on)
    return redirect(url_for("readers.show", slug=profile.slug))


@bp.get("/favourites", endpoint="favourites")
@role_required(Role.CLIENT)
def favourites_page():
    readers = favourites.favourites_of(current_user)
    online = [reader for reader in readers if reader.is_online]
    return render_template("readers/favourites.html", readers=readers, online=online)
