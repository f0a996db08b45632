"""Small helpers the views share."""

from flask import render_template

from soulseer.extensions import htmx


def render(template, fragment=None, **context):
    """The full page, or only its `_fragment.html` partial when HTMX asks for a piece of it."""
    if fragment and htmx and not htmx.boosted:
        return render_template(fragment, **context)
    return render_template(template, **context)
