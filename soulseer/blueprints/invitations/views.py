from flask import flash, redirect, render_template
from flask_login import logout_user

from soulseer.blueprints.auth.views import landing_for, sign_in_user
from soulseer.blueprints.invitations import bp
from soulseer.blueprints.invitations.forms import AcceptInvitationForm
from soulseer.extensions import db, limiter
from soulseer.services.accounts import AccountError, invitations
from soulseer.views import refused


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def accept(token):
    try:
        user = invitations.check(token)
    except invitations.InvitationProblem as problem:
        return refused(problem, "invitations/problem.html", problem=problem)
    form = AcceptInvitationForm()
    if not user.is_reader:
        del form.reader_agreement  # only readers sign the Reader agreement
    if form.validate_on_submit():
        try:
            user = invitations.accept(
                token,
                form.password.data,
                form.adult.data,
                form.terms.data,
                form.reader_agreement.data if user.is_reader else False,
            )
        except invitations.InvitationProblem as problem:
            return refused(problem, "invitations/problem.html", problem=problem)
        except AccountError as error:
            return refused(error, "invitations/accept.html", form, form=form, user=user)
        db.session.commit()
        logout_user()  # whoever was signed in on this browser, the invited person now is
        sign_in_user(user)
        flash(f"Welcome to SoulSeer, {user.display_name}. Your account is ready.", "success")
        return redirect(landing_for(user))
    return render_template("invitations/accept.html", form=form, user=user), 422 if form.errors else 200
