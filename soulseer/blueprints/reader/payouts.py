"""The reader's payouts: her Stripe Connect account's setup and status, and her earnings
(docs/payouts.md). Test payouts add the two pages Stripe would host (onboarding, the Express
dashboard), marked TEST, served only while the stand-in answers instead of Stripe."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from soulseer.blueprints.reader import bp
from soulseer.blueprints.wallet.topups import _user_or_address
from soulseer.errors import DomainError
from soulseer.extensions import db, htmx, limiter
from soulseer.models import PayoutStatus
from soulseer.money import format_cents
from soulseer.services.payments import stripe_stand_in
from soulseer.services.payouts import connect, earnings, events, stand_in, transfers

LIMITS = "10 per minute;60 per hour"


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"  # earnings and account status are private and change
    return response


def _page(problem=None, status=200, retry_after=None):
    account = connect.account_for(current_user)
    state, due = connect.status_of(account)
    recent = transfers.recent(current_user)
    html = render_template(
        "reader/payouts.html",
        account=account,
        state=state,
        due=due,
        earnings=earnings.of(current_user),
        available=connect.available(),
        testing=connect.testing(),
        problem=problem,
        payouts=recent,
        in_flight=any(p.status == PayoutStatus.PENDING for p in recent),
        threshold=transfers.threshold(),
        next_run=transfers.next_daily_run(),
        bank_failure=events.bank_failure_words(account.bank_failure_code)
        if account and account.bank_failure_code
        else None,
    )
    response = _no_store(current_app.make_response((html, status)))
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _away(url):
    """Send the browser to Stripe's page (an HTMX request follows a 303 with XHR, which cannot)."""
    if htmx:
        response = current_app.response_class(status=200)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, 303)


def _onboarding(account):
    return connect.onboarding_link(
        account,
        return_url=url_for("reader.payouts_return", _external=True),
        refresh_url=url_for("reader.payouts_refresh", _external=True),
    )


@bp.get("/payouts")
def payouts():
    return _page()


@bp.post("/payouts/setup")
@limiter.limit(LIMITS, key_func=_user_or_address)
def start_payouts():
    """ "Set up payouts" (and "Finish setup"): her connected account, then Stripe's onboarding."""
    if not connect.available():
        return _page("Payouts are not available right now.", 503)
    try:
        account = connect.ensure_account(current_user)
        return _away(_onboarding(account))
    except connect.PayoutsUnavailable as error:
        return _page(error.message, error.status)


@bp.post("/payouts/now")
@limiter.limit(LIMITS, key_func=_user_or_address)
def pay_now():
    """ "Pay me now": her available earnings, at most once a day."""
    try:
        payout = transfers.pay_now(current_user)
    except transfers.PayoutRefused as error:
        db.session.rollback()
        return _page(error.message, error.status, error.retry_after)
    db.session.commit()
    flash(f"{format_cents(payout.amount_cents)} is on its way to your Stripe account.")
    return redirect(url_for("reader.payouts"), 303)


@bp.get("/payouts/stripe/refresh")
def payouts_refresh():
    """Stripe sends her here when her onboarding link expired or was used: a new one."""
    account = connect.account_for(current_user)
    if account is None:
        return redirect(url_for("reader.payouts"))
    try:
        return redirect(_onboarding(account), 303)
    except connect.PayoutsUnavailable as error:
        return _page(error.message, error.status)


@bp.get("/payouts/stripe/return")
def payouts_return():
    """Back from Stripe's onboarding: ask Stripe how the account stands before saying anything."""
    account = connect.account_for(current_user)
    if account is None:
        return redirect(url_for("reader.payouts"))
    try:
        account = connect.refresh(account)
    except connect.PayoutsUnavailable as error:
        return _page(error.message, error.status)
    state, due = connect.status_of(account)
    if state == "active":
        flash("Payouts are active.")
    elif state == "review":
        flash("Stripe has your details and is checking them.")
    else:
        flash(f"Stripe still needs {len(due)} thing{'' if len(due) == 1 else 's'} from you to pay you.")
    return redirect(url_for("reader.payouts"), 303)


@bp.post("/payouts/dashboard")
@limiter.limit(LIMITS, key_func=_user_or_address)
def payouts_dashboard():
    """Her Stripe Express dashboard, through a login link made now (they work once)."""
    account = connect.account_for(current_user)
    if account is None:
        return redirect(url_for("reader.payouts"), 303)
    try:
        return _away(connect.dashboard_link(account))
    except DomainError as error:
        return _page(error.message, error.status)


# --- the pages Stripe would host, for test payouts ---------------------------------------------


def _test_account():
    if not connect.testing():
        abort(404)
    account = connect.account_for(current_user)
    if account is None:
        abort(404)
    return account


@bp.route("/payouts/test-onboarding/<token>", methods=["GET", "POST"])
def test_onboarding(token):
    account = _test_account()
    link = stand_in.link(token)
    if link is None:  # used or expired: Stripe sends her to the refresh URL for a new one
        return redirect(url_for("reader.payouts_refresh"))
    if link["account"] != account.stripe_account_id:
        abort(404)
    if request.method == "POST":
        link = stand_in.use_link(token)
        if link is None:
            return redirect(url_for("reader.payouts_refresh"))
        if request.form.get("outcome") == "finish":
            snapshot = stand_in.finish_onboarding(account.stripe_account_id)
            event = stand_in.connect_event("account.updated", snapshot, account.stripe_account_id)
            # This same server, reached the way the browser reached it.
            webhook_url = request.host_url.rstrip("/") + url_for("webhooks.stripe_connect_webhook")
            try:
                stand_in.deliver(event, webhook_url)
            except stripe_stand_in.DeliveryError as problem:
                # The return page asks the stand-in for the account anyway, as it asks Stripe.
                current_app.logger.warning("Test onboarding event not delivered: %s", problem)
        return redirect(link["return_url"], 303)
    return _no_store(current_app.make_response(render_template("reader/test_onboarding.html", token=token)))


@bp.get("/payouts/test-dashboard")
def test_dashboard(problem=None):
    account = _test_account()
    html = render_template(
        "reader/test_dashboard.html",
        account=account,
        transfers=stand_in.transfers(destination=account.stripe_account_id),
        problem=problem,
    )
    return _no_store(current_app.make_response((html, 200 if problem is None else 409)))


@bp.post("/payouts/test-dashboard/bank-payout")
def test_bank_payout():
    """TEST: Stripe pays what SoulSeer transferred to her into her bank, or her bank refuses it; the
    signed Connect event Stripe sends then comes to our own Connect webhook over HTTP."""
    account = _test_account()
    event = stand_in.bank_payout(account.stripe_account_id, arrives=request.form.get("outcome") == "paid")
    if event is None:
        return test_dashboard(problem="Nothing has been transferred to your Stripe account yet.")
    webhook_url = request.host_url.rstrip("/") + url_for("webhooks.stripe_connect_webhook")
    try:
        stand_in.deliver(event, webhook_url)
    except stripe_stand_in.DeliveryError as problem:
        current_app.logger.warning("Test bank payout event not delivered: %s", problem)
        return test_dashboard(problem="The test event could not be delivered. Try again.")
    return redirect(url_for("reader.payouts"), 303)
