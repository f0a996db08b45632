"""'Export my data': the person's profile, plus one section from each area that holds something about
them. An area adds its section with @export_section("name") beside the data it owns."""

from soulseer import clock

# name -> function(user) -> JSON-ready data, in the order the areas register them.
EXPORT_SECTIONS = {}


def export_section(name):
    """Register an area's part of the data export (decorator)."""

    def register(function):
        EXPORT_SECTIONS[name] = function
        return function

    return register


def iso(moment):
    return moment.isoformat() if moment else None


def export_data(user):
    """Everything the system holds about the user, as one JSON-ready dict."""
    data = {
        "exported_at": clock.now().isoformat(),
        "profile": {
            "id": user.id,
            "email": user.email,
            "display_name": user.display_name,
            "role": user.role,
            "status": user.status,
            "email_verified_at": iso(user.email_verified_at),
            "adult_confirmed_at": iso(user.adult_confirmed_at),
            "terms_version": user.terms_version,
            "terms_accepted_at": iso(user.terms_accepted_at),
            "signs_in_with_auth0": user.auth0_subject is not None,
            "last_login_at": iso(user.last_login_at),
            "created_at": iso(user.created_at),
        },
    }
    for name, section in EXPORT_SECTIONS.items():
        data[name] = section(user)
    return data
