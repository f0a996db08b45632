from flask import redirect, render_template, session, url_for
from wtforms import SelectChoice

from soulseer.blueprints.applications import bp
from soulseer.blueprints.applications.forms import ApplicationForm
from soulseer.extensions import db, limiter
from soulseer.models import ReaderApplication
from soulseer.services.accounts import AccountError, applications
from soulseer.views import refused


@bp.route("/become-a-reader", methods=["GET", "POST"])
@limiter.limit("5 per hour", methods=["POST"])
def apply():
    form = ApplicationForm()
    form.specialties.choices = [SelectChoice(name) for name in applications.specialty_names()]
    if form.validate_on_submit():
        try:
            application = applications.submit_application(
                legal_name=form.legal_name.data,
                email=form.email.data,
                phone=form.phone.data,
                years_of_practice=form.years_of_practice.data,
                specialties=form.specialties.data,
                modes=form.modes.data,
                bio=form.bio.data,
                why_soulseer=form.why_soulseer.data,
                links=form.links.data,
                agreement=form.agreement.data,
            )
        except AccountError as error:
            return refused(error, "applications/apply.html", form, form=form)
        db.session.commit()
        session["reader_application_id"] = application.id
        return redirect(url_for("applications.thanks"))
    return render_template("applications/apply.html", form=form), 422 if form.errors else 200


@bp.get("/become-a-reader/thank-you")
def thanks():
    application_id = session.get("reader_application_id")
    application = db.session.get(ReaderApplication, application_id) if application_id else None
    if application is None:
        return redirect(url_for("applications.apply"))
    return render_template("applications/thanks.html", application=application)
