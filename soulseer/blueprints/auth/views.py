from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from soulseer import clock
from soulseer.blueprints.auth import bp
from soulseer.blueprints.auth.forms import ConsentForm, NewPasswordForm, ResetRequestForm, SignInForm, SignUpForm
from soulseer.extensions import db, limiter
from soulseer.services import accounts
from soulseer.services.accounts import AccountError, auth0
from soulseer.views import consent_needed, refused, safe_next_url

# Pages a signed-in user may open before giving consent (everything else waits for it).
CONSENT_EXEMPT = {
    "auth.consent",
    "auth.sign_out",
    "auth.verify_email",
    "main.page",
    "static",
    "pwa.manifest",
    "pwa.service_worker",
    "pwa.offline",
    "pwa.assetlinks",
    "health.healthz",
    "dev.mail",
}


@bp.before_app_request
def require_consent():
    # The endpoint first: static files and the like need no user loaded from the database.
    if request.endpoint in CONSENT_EXEMPT:
        return None
    if current_user.is_authenticated and consent_needed():
        return redirect(
            url_for("auth.consent", next=request.full_path.rstrip("?") if request.method == "GET" else None)
        )
    return None


def landing_for(user):
    if user.is_admin:
        return url_for("admin.overview.index")
    if user.is_reader:
        return url_for("reader.dashboard")
    return url_for("main.home")


def sign_in_user(user, remember=False):
    login_user(user, remember=remember)
    session.permanent = True
    # When this person last proved who they are (deleting an account without a password needs a
    # recent sign-in).
    session["signed_in_at"] = int(clock.now().timestamp())


def signed_in_recently(minutes=10):
    signed_in_at = session.get("signed_in_at")
    return bool(signed_in_at) and clock.now().timestamp() - signed_in_at <= minutes * 60


@bp.route("/sign-up", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def sign_up():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = SignUpForm()
    if form.validate_on_submit():
        try:
            user = accounts.register(
                form.display_name.data, form.email.data, form.password.data, form.adult.data, form.terms.data
            )
        except AccountError as error:
            return refused(error, "auth/sign_up.html", form, form=form)
        db.session.commit()
        sign_in_user(user)
        flash(f"Welcome to SoulSeer! We sent a link to {user.email} to confirm your address.", "success")
        return redirect(url_for("main.home"))
    return render_template("auth/sign_up.html", form=form), 422 if form.errors else 200


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    if current_user.is_authenticated:
        return redirect(landing_for(current_user))
    form = SignInForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.email.data, form.password.data, request.remote_addr)
        except AccountError as error:  # 401, or 429 after too many failures (counted in Redis)
            return refused(error, "auth/sign_in.html", form, form=form, auth0=auth0_enabled())
        db.session.commit()
        sign_in_user(user, remember=form.remember.data)
        return redirect(safe_next_url(request.args.get("next")) or landing_for(user))
    return render_template("auth/sign_in.html", form=form, auth0=auth0_enabled()), 422 if form.errors else 200


def auth0_enabled():
    return auth0.configured()


@bp.post("/sign-out")
def sign_out():
    # Signed in through Auth0: end that session too, or "Continue with Auth0" would sign straight back in.
    provider_logout = auth0.logout_url(url_for("main.home", _external=True)) if session.get(auth0.SESSION_KEY) else None
    logout_user()
    session.clear()
    flash("You are signed out.", "success")
    return redirect(provider_logout or url_for("main.home"))


@bp.get("/verify-email/<token>")
def verify_email(token):
    try:
        user = accounts.verify_email(token)
    except AccountError as error:
        return refused(error, "auth/link_problem.html", message=error.message)
    db.session.commit()
    if current_user.is_authenticated and current_user.id == user.id:
        sign_in_user(user)  # the epoch may have moved with an email change
    flash(f"Thank you: {user.email} is confirmed.", "success")
    return redirect(url_for("account.index") if current_user.is_authenticated else url_for("auth.sign_in"))


@bp.route("/reset-password", methods=["GET", "POST"])
@limiter.limit("5 per hour", methods=["POST"])
def request_reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data)
        db.session.commit()
        return render_template("auth/reset_sent.html", email=form.email.data.strip().lower())
    return render_template("auth/reset_request.html", form=form), 422 if form.errors else 200


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token):
    try:
        accounts.check_reset_token(token)
    except AccountError as error:
        return refused(error, "auth/link_problem.html", message=error.message)
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = accounts.reset_password(token, form.password.data)
        except AccountError as error:
            return refused(error, "auth/reset_password.html", form, form=form)
        db.session.commit()
        logout_user()
        flash("Your password is changed. Sign in with the new one.", "success")
        return redirect(url_for("auth.sign_in", email=user.email))
    return render_template("auth/reset_password.html", form=form), 422 if form.errors else 200


@bp.route("/welcome/consent", methods=["GET", "POST"])
@login_required
def consent():
    form = ConsentForm()
    if form.validate_on_submit():
        try:
            accounts.record_consent(current_user, form.adult.data, form.terms.data, form.reader_agreement.data)
        except AccountError as error:
            due = accounts.needs_reader_agreement(current_user)
            return refused(error, "auth/consent.html", form, form=form, reader_agreement_due=due)
        db.session.commit()
        return redirect(safe_next_url(request.args.get("next")) or landing_for(current_user))
    elif not accounts.needs_consent(current_user):
        return redirect(landing_for(current_user))
    return render_template(
        "auth/consent.html", form=form, reader_agreement_due=accounts.needs_reader_agreement(current_user)
    ), 422 if form.errors else 200
