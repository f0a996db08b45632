"""Top-ups: the form, the return page that waits for the webhook, and the TEST checkout page.

None of these views credits money: only the verified webhook's job does (docs/stripe.md).

In place: a page that must keep running (the reading room) includes the form with
`topup_in_place`; its requests carry `in_place=1` and HTMX, and each step answers a fragment for
the same spot instead of a new page: the form, the TEST checkout (or, with Stripe, a link that
opens Stripe's checkout in a new tab), then the top-up's status until it is credited.
"""

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required

from soulseer.blueprints.wallet import bp
from soulseer.blueprints.wallet.forms import TopupForm
from soulseer.extensions import htmx, limiter
from soulseer.ledger import accounts, reads
from soulseer.models import TopupStatus
from soulseer.services.payments import stripe_stand_in, topups
from soulseer.views import refused, render, role_required


def _user_or_address():
    """Rate limits per signed-in user (several people may share one address), else per address."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


TOPUP_LIMITS = "10 per minute;60 per hour"


@bp.app_context_processor
def topup_form_factory():
    # Lets any page (the wallet's, the reading room) include wallet/_topup_form.html without
    # building the form itself.
    return {"new_topup_form": lambda: TopupForm(formdata=None)}


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"  # balances and payments are private and change
    return response


def _in_place():
    return bool(htmx and request.values.get("in_place"))


def _balance(user):
    wallet = accounts.find_wallet(user)
    return reads.account_balance(wallet) if wallet else 0


def _form_page(form, status=200):
    if _in_place():  # HTMX swaps 200s only: the errors come back in place with a 200
        page, status = render_template("wallet/_topup_form.html", topup_form=form, topup_in_place=True), 200
    else:
        page = render_template("wallet/new_topup.html", topup_form=form, balance=_balance(current_user))
    return _no_store(current_app.make_response((page, status)))


def _fragment(template, **context):
    return _no_store(current_app.make_response(render_template(template, in_place=True, **context)))


@bp.get("/topups/new")
@role_required("client")
def new_topup():
    return _form_page(TopupForm(formdata=None))  # in place: the form alone (after a top-up, "Add more")


@bp.post("/topups")
@role_required("client")
@limiter.limit(TOPUP_LIMITS, key_func=_user_or_address)
@limiter.limit("30 per minute")  # per address
def create_topup():
    form = TopupForm()
    if form.validate():
        try:
            started = topups.start_topup(
                current_user,
                form.amount_cents,
                return_url=lambda topup: url_for("wallet.topup", topup_id=topup.id, _external=True),
                cancel_url=url_for("wallet.index", _external=True),
                test_checkout_url=lambda topup: url_for("wallet.test_checkout", topup_id=topup.id),
            )
        except topups.TopupError as error:
            typed = bool((form.custom_amount.data or "").strip())
            amount_field = {"amount": "custom_amount" if typed else "preset"}
            return refused(error, _form_page, form, field_names=amount_field, form=form)
        if _in_place():
            if not topups.stripe_configured():  # test payments: the TEST checkout, shown right here
                return _fragment("wallet/_test_checkout.html", topup=started.topup, error=None)
            # Stripe's checkout cannot be shown inside our page: a new tab, while this one runs.
            return _fragment("wallet/_stripe_in_place.html", topup=started.topup, checkout_url=started.checkout_url)
        if htmx:  # an HTMX form would follow a 303 with XHR, which cannot open another site
            response = current_app.response_class(status=200)
            response.headers["HX-Redirect"] = started.checkout_url
            return response
        return redirect(started.checkout_url, 303)
    return _form_page(form, 422)


@bp.get("/topups/<int:topup_id>")
@login_required
def topup(topup_id):
    """Where Stripe (or the TEST checkout) sends the client back: waits for the webhook's credit."""
    found = topups.owned_topup(current_user, topup_id)
    if found is None:
        abort(404)
    if _in_place():
        return _status_in_place(found)
    html = render(
        "wallet/topup.html",
        "wallet/_topup_status.html",
        topup=found,
        balance=_balance(current_user),
        oob_balance=bool(htmx and not htmx.boosted),  # the fragment also refreshes the header balance
    )
    return _no_store(current_app.make_response(html))


def _status_in_place(found):
    """The top-up's status where it was started; once credited, it tells the page around it
    (the reading room listens for `wallet-credited` and asks for its fresh balance). No header
    balance out of band: the room has no header, and where there is one the credit's own
    `balance` event refreshes it (services/wallet.announce_balance)."""
    response = _fragment("wallet/_topup_status.html", topup=found, balance=_balance(current_user), oob_balance=False)
    if found.status == TopupStatus.CREDITED:
        response.headers["HX-Trigger"] = "wallet-credited"
    return response


@bp.route("/test-checkout/<int:topup_id>", methods=["GET", "POST"])
@login_required
@limiter.limit(TOPUP_LIMITS, key_func=_user_or_address, methods=["POST"])
def test_checkout(topup_id):
    """The TEST checkout page (test payments only): sends the Stripe-format event for this top-up
    through our own POST /webhooks/stripe, exactly as Stripe would."""
    if not topups.test_payments_enabled():
        abort(404)
    found = topups.owned_topup(current_user, topup_id)
    if found is None:
        abort(404)
    return_page = url_for("wallet.topup", topup_id=found.id)
    if found.finished:
        return _status_in_place(found) if _in_place() else redirect(return_page, 303)
    error = None
    if request.method == "POST":
        outcome = request.form.get("outcome")
        if outcome not in (stripe_stand_in.PAID, stripe_stand_in.FAILED):
            abort(400)
        # This same server, reached the way the browser reached it.
        webhook_url = request.host_url.rstrip("/") + url_for("webhooks.stripe_webhook")
        try:
            stripe_stand_in.pay(found, outcome, webhook_url)
        except stripe_stand_in.DeliveryError as problem:
            current_app.logger.warning("Test payment for top-up %s not delivered: %s", found.id, problem)
            error = "The test payment could not reach the webhook endpoint. Nothing was paid; try again."
        else:
            if _in_place():
                return _status_in_place(found)
            return redirect(return_page, 303)
    if _in_place():
        return _fragment("wallet/_test_checkout.html", topup=found, error=error)
    page = render_template("wallet/test_checkout.html", topup=found, error=error)
    return _no_store(current_app.make_response((page, 502 if error else 200)))
