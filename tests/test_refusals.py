"""Refusals: one base (soulseer.errors.DomainError) and one answer (soulseer.views.refused):
the message on the form's field or the form as a whole, the page or the HTMX fragment, the
error's status, and nothing of the request's writes kept."""

import pytest
import sqlalchemy as sa
from flask_wtf import FlaskForm
from jinja2 import ChoiceLoader, DictLoader
from wtforms import StringField

from soulseer.errors import DomainError
from soulseer.models import ContentPage
from soulseer.views import refused

PAGE = (
    "<main>page {{ note }}"
    "{% for m in form.form_errors %}<p class=form-error>{{ m }}</p>{% endfor %}"
    "{% for m in form.name.errors %}<p class=field-error>{{ m }}</p>{% endfor %}</main>"
)
TEMPLATES = {"_refusal/page.html": PAGE, "_refusal/fragment.html": "<div>fragment {{ note }}</div>"}
HX = {"HX-Request": "true"}


class NameForm(FlaskForm):
    name = StringField("Name")


@pytest.fixture
def templates(app):
    original = app.jinja_env.loader
    app.jinja_env.loader = ChoiceLoader([DictLoader(TEMPLATES), original])
    yield
    app.jinja_env.loader = original


@pytest.fixture
def request_for(app, db, templates):
    """A request context for the helper (HTMX headers when asked)."""
    contexts = []

    def open_request(headers=None):
        context = app.test_request_context("/", method="POST", headers=headers or {})
        context.push()
        contexts.append(context)

    yield open_request
    for context in reversed(contexts):
        context.pop()


def _form():
    return NameForm(formdata=None, meta={"csrf": False})


def test_a_field_error_goes_on_its_field_with_the_errors_status(request_for):
    request_for()
    form = _form()
    response = refused(DomainError("That name is taken.", "name", 422), "_refusal/page.html", form, form=form)
    assert response.status_code == 422
    assert form.name.errors == ["That name is taken."] and form.form_errors == []
    assert "<p class=field-error>That name is taken.</p>" in response.get_data(as_text=True)


def test_an_error_without_a_field_or_with_a_field_the_form_lacks_is_for_the_form_as_a_whole(request_for):
    request_for()
    form = _form()
    refused(DomainError("Someone saved it first."), "_refusal/page.html", form, form=form)
    response = refused(DomainError("Not a field here.", "colour", 409), "_refusal/page.html", form, form=form)
    assert response.status_code == 409
    assert form.form_errors == ["Someone saved it first.", "Not a field here."] and not form.name.errors
    assert "<p class=form-error>Not a field here.</p>" in response.get_data(as_text=True)


def test_field_names_map_the_services_name_to_the_forms(request_for):
    request_for()
    form = _form()
    refused(DomainError("Too long.", "display_name", 422), "_refusal/page.html", form,
            field_names={"display_name": "name"}, form=form)  # fmt: skip
    assert form.name.errors == ["Too long."]


def test_htmx_gets_the_fragment_answered_200_so_that_it_is_swapped(request_for):
    request_for(HX)
    response = refused(DomainError("No.", status=422), "_refusal/page.html", fragment="_refusal/fragment.html",
                       note="x", form=_form())  # fmt: skip
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "<div>fragment x</div>"


def test_a_fragment_in_a_slot_that_swaps_errors_keeps_the_status(request_for):
    request_for(HX)
    response = refused(DomainError("No.", status=403), "_refusal/page.html", fragment="_refusal/fragment.html",
                       swap_errors=True, note="x", form=_form())  # fmt: skip
    assert response.status_code == 403 and "fragment x" in response.get_data(as_text=True)


def test_without_htmx_or_when_boosted_the_page_comes_with_the_status(request_for):
    request_for({"HX-Request": "true", "HX-Boosted": "true"})
    response = refused(DomainError("No.", status=404), "_refusal/page.html", fragment="_refusal/fragment.html",
                       note="y", form=_form())  # fmt: skip
    assert response.status_code == 404
    assert response.get_data(as_text=True).startswith("<main>page y")


def test_a_page_function_is_called_with_the_status_after_the_rollback(request_for, db):
    request_for()
    db.session.add(ContentPage(slug="refusal-probe", title="Probe", body_markdown="x\n", version=1))
    db.session.flush()
    seen = {}

    def page(status, note):
        seen["stored"] = db.session.scalar(sa.select(sa.func.count()).where(ContentPage.slug == "refusal-probe"))
        seen["status"] = status
        return f"built {note}", status  # the page function answers (topups' in-place form says 200)

    response = refused(DomainError("Already decided.", status=409), page, note="z")
    assert seen == {"stored": 0, "status": 409}
    assert response.status_code == 409 and response.get_data(as_text=True) == "built z"


def test_nothing_the_request_wrote_is_kept(request_for, db):
    request_for()
    db.session.add(ContentPage(slug="refusal-probe", title="Probe", body_markdown="x\n", version=1))
    db.session.flush()
    refused(DomainError("No."), "_refusal/page.html", form=_form())
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).where(ContentPage.slug == "refusal-probe")) == 0


def test_without_a_page_the_message_is_plain_text(request_for):
    request_for()
    response = refused(DomainError("<b>Too long.</b>", status=422))
    assert response.status_code == 422
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == "<b>Too long.</b>"


def test_a_limit_says_when_to_try_again(request_for):
    request_for()
    response = refused(DomainError("Too many tries.", status=429, retry_after=90.4), "_refusal/page.html", form=_form())
    assert response.status_code == 429 and response.headers["Retry-After"] == "90"
    assert "Retry-After" not in refused(DomainError("No."), "_refusal/page.html", form=_form()).headers


def test_a_domain_error_carries_its_message_field_and_status():
    class Refused(DomainError):
        status = 422

    error = Refused("Choose a mode.", "mode")
    assert (error.message, error.field, error.status, error.retry_after, str(error)) == (
        "Choose a mode.", "mode", 422, None, "Choose a mode.",
    )  # fmt: skip
    assert Refused("Gone.", status=410).status == 410 and Refused.status == 422
    assert DomainError("Conflict.").status == 409


# Exceptions in soulseer that are not a refusal given to a person, and why.
NOT_REFUSALS = {
    "soulseer.config.ConfigError": "the server is misconfigured: it must not start",
    "soulseer.services.readings.states.IllegalTransition": "a programming error, never shown to a person",
    "soulseer.services.payments.stripe_events.InvalidEvent": "webhook plumbing: Stripe gets a 400",
    "soulseer.services.payments.stripe_events.NotApplicable": "webhook plumbing: the event is acknowledged and ignored",
    "soulseer.services.payments.stripe_stand_in.DeliveryError": "the TEST checkout could not reach our webhook (a 502)",
    "soulseer.services.payouts.connect.PayoutsUnavailable": "Stripe cannot be reached or is not configured: a 503",
    "soulseer.ledger.posting.LedgerError": "the ledger's own errors; commerce turns them into refusals",
    "soulseer.ledger.posting.Unbalanced": "a programming error",
    "soulseer.ledger.posting.InsufficientFunds": "commerce.NotEnoughFunds is the refusal",
    "soulseer.ledger.posting.WalletFrozen": "commerce.SpendingFrozen is the refusal",
    "soulseer.ledger.posting.IdempotencyConflict": "a programming error: one key, two meanings",
    "soulseer.money.AmountError": "text that is not an amount: the form that read it puts it on its field",
    "soulseer.blueprints.wallet.forms.AmountNotUnderstood": "the top-up form's own parse error, a field error",
}


def _exception_classes():
    import importlib
    import inspect
    import pkgutil

    import soulseer

    found = {}
    for module_info in pkgutil.walk_packages(soulseer.__path__, "soulseer."):
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if inspect.isclass(value) and issubclass(value, BaseException) and value.__module__ == module.__name__:
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return found


def test_every_refusal_in_soulseer_is_a_domain_error_with_a_client_error_status():
    classes = _exception_classes()
    assert set(NOT_REFUSALS) <= set(classes), "a listed exception no longer exists: update NOT_REFUSALS"
    refusals = {name: cls for name, cls in classes.items() if name not in NOT_REFUSALS}
    assert not [name for name, cls in refusals.items() if not issubclass(cls, DomainError)]
    assert not [name for name, cls in refusals.items() if not 400 <= cls.status < 500]
    assert {  # the refusals the views answer, each on the one base
        "soulseer.services.accounts.AccountError",
        "soulseer.services.accounts.admin_users.OwnAccountRefused",
        "soulseer.services.accounts.auth0.SignInProblem",
        "soulseer.services.readings.chat.ChatError",
        "soulseer.services.readings.reviews.ReviewError",
        "soulseer.services.moderation.items.ModerationError",
        "soulseer.services.readings.lifecycle.ReadingError",
        "soulseer.services.commerce.sales.NotEnoughFunds",
    } <= set(refusals)
