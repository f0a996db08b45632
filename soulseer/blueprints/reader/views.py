from flask import render_template
from flask_login import current_user

from soulseer.blueprints.reader import bp
from soulseer.services import readers_onboarding as onboarding


@bp.get("")
def dashboard():
    application = onboarding.application_for(current_user)
    modes = dict(onboarding.MODES)
    return render_template("reader/dashboard.html", application=application, mode_labels=modes)
