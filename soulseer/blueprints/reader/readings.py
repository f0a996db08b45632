"""The reader's history of readings (/reader/readings); the client's is readings/history.py."""

from flask import render_template
from flask_login import current_user

from soulseer.blueprints.reader import bp
from soulseer.services.readings import history
from soulseer.views import page_number


@bp.get("/readings")
def readings():
    results = history.reader_history(current_user, page_number())
    return render_template("reader/readings.html", results=results, rows=history.rows(results.items))
