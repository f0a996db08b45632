"""Telling a writer what screening found in what they just wrote (it was published as written).

In place (HTMX), a fragment includes the partials with `screening` (a moderation Screening). After
a redirect, `tell_writer(content)` flashes them: the crisis banner (category `crisis`) and the
rules notice (category `screening`, the detectors' codes), which partials/_flashes.html renders.
Only the writer's own response carries them: never an event stream, never another person.
"""

from flask import flash

from soulseer.blueprints.moderation import bp
from soulseer.services.moderation.screening import Detector


def tell_writer(content):
    """Flash screening's news for the writer of `content`; whether there was any (the flashes show
    above the page's content: a redirect that scrolls down to an anchor would hide them)."""
    screening = getattr(content, "screening", None)
    if screening is None:
        return False
    if screening.crisis_banner:
        flash("", "crisis")
    if screening.notice:
        flash(",".join(screening.detectors), "screening")
    return bool(screening.crisis_banner or screening.notice)


@bp.app_template_global()
def flashed_screening_hits(codes):
    """The rules notice's `hits` from a flashed list of detector codes."""
    return [{"detector": Detector(code)} for code in codes.split(",") if code in set(Detector)]
