"""A reader's Stripe Connect account: creating it, onboarding, and its status (docs/payouts.md).

Readers are paid with "separate charges and transfers": clients' top-ups land in the platform's
balance, and a reader's payout is a Transfer to her Express connected account, from which Stripe
pays her bank. The account asks for the `transfers` capability only: readers are not merchants of
record, so they never take card payments.

Her status is what Stripe last said, never what the browser claims: an `account.updated` event on
the Connect webhook (applied by the Stripe events job), or a fetch of the account when she comes
back from onboarding. Snapshots arrive many times and out of order; one older than the stored one
changes nothing (`status_as_of`).
"""

import logging
from datetime import UTC, datetime

import sqlalchemy as sa
import stripe
from flask import current_app

from soulseer import clock
from soulseer.errors import DomainError
from soulseer.extensions import db
from soulseer.models import PayoutAccount, User
from soulseer.services.core import audit, notifications
from soulseer.services.core.data_export import export_section, iso
from soulseer.services.payments import stripe_events, topups
from soulseer.services.payouts import stand_in

log = logging.getLogger(__name__)

UNKNOWN_ACCOUNT = "payout account not stored yet"


class PayoutsUnavailable(Exception):
    """Stripe cannot be reached, or payouts are not available here: not the reader's doing, so no
    refusal (DomainError) but a 503 with this message."""

    status = 503

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def available():
    """Payouts work here: with Stripe keys, or with test payouts (never in production)."""
    return topups.stripe_configured() or topups.test_payments_enabled()


def testing():
    """Test payouts: the stand-in answers instead of Stripe (services/payouts/stand_in.py)."""
    return not topups.stripe_configured() and topups.test_payments_enabled()


def client():
    if testing():
        return stand_in.client()
    if not topups.stripe_configured():
        raise PayoutsUnavailable("Payouts are not available right now.")
    return topups.stripe_client()


def livemode():
    """Events for a live-mode platform are live; for a test key (or the stand-in), not."""
    return current_app.config["STRIPE_SECRET_KEY"].startswith(("sk_live_", "rk_live_"))


def account_for(user):
    """The reader's payout account of this mode (a TEST account does not count once Stripe is on)."""
    found = db.session.execute(sa.select(PayoutAccount).filter_by(user_id=user.id)).scalar_one_or_none()
    if found is not None and found.test != testing():
        return None
    return found


def _now():
    """Our fetch's time, to the second as Stripe's `created` is, so a snapshot of the same second
    counts as a tie (settled by asking Stripe), never as older."""
    return clock.now().replace(microsecond=0)


def _unreachable(error):
    log.warning("Stripe Connect call failed: %s", error)
    return PayoutsUnavailable("We could not reach Stripe just now. Nothing has changed; please try again in a minute.")


def ensure_account(user):
    """The reader's connected account, created at Stripe on first use: Express, transfers only, one
    per reader (Stripe's idempotency key per user, the user's row locked meanwhile). Commits."""
    db.session.execute(sa.select(User.id).filter_by(id=user.id).with_for_update()).one()
    existing = db.session.execute(sa.select(PayoutAccount).filter_by(user_id=user.id)).scalar_one_or_none()
    if existing is not None and existing.test == testing():
        db.session.commit()
        return existing
    params = {
        "country": "US",
        "email": user.email,
        "controller": {
            "stripe_dashboard": {"type": "express"},
            "fees": {"payer": "application"},
            "losses": {"payments": "application"},
            "requirement_collection": "stripe",
        },
        "capabilities": {"transfers": {"requested": True}},
        "metadata": {"user_id": str(user.id)},
    }
    try:
        created = client().v1.accounts.create(
            params=params, options={"idempotency_key": f"connect-account:{user.id}{'-test' if testing() else ''}"}
        )
    except stripe.StripeError as error:
        db.session.rollback()
        raise _unreachable(error) from error
    if existing is not None:  # a TEST account from before Stripe was configured: test data only
        db.session.delete(existing)
        db.session.flush()
    account = PayoutAccount(user_id=user.id, stripe_account_id=created.id, test=testing())
    _apply(account, created, _now())
    db.session.add(account)
    audit.record(user, "payouts.account_created", user, after={"stripe_account": created.id, "test": account.test})
    # An account.updated faster than this commit waited for the row: apply it now.
    stripe_events.enqueue_waiting(UNKNOWN_ACCOUNT, "id", created.id)
    db.session.commit()
    return account


def onboarding_link(account, return_url, refresh_url):
    """A fresh, single-use link to Stripe's hosted onboarding for the account."""
    try:
        link = client().v1.account_links.create(
            params={
                "account": account.stripe_account_id,
                "type": "account_onboarding",
                "return_url": return_url,
                "refresh_url": refresh_url,
            }
        )
    except stripe.StripeError as error:
        raise _unreachable(error) from error
    return link.url


def dashboard_link(account):
    """A login link to her Express dashboard (bank details, Stripe's payouts to her bank)."""
    if not account.details_submitted:
        raise DomainError("Finish setting up payouts first: the Stripe dashboard opens once your details are in.")
    try:
        return client().v1.accounts.login_links.create(account.stripe_account_id).url
    except stripe.StripeError as error:
        raise _unreachable(error) from error


def refresh(account):
    """Fetch the account from Stripe and keep what it says now (she came back from onboarding:
    never trust the return visit alone). Commits. Raises PayoutsUnavailable."""
    try:
        fetched = client().v1.accounts.retrieve(account.stripe_account_id)
    except stripe.StripeError as error:
        raise _unreachable(error) from error
    locked = db.session.execute(
        sa.select(PayoutAccount).filter_by(id=account.id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()
    _update(locked, fetched, _now())
    db.session.commit()
    return locked


def _field(snapshot, name, default=None):
    value = snapshot.get(name)
    return default if value is None else value


def _apply(account, snapshot, as_of):
    if isinstance(snapshot, stripe.StripeObject):  # a fetch's answer; an event's object is a dict
        snapshot = snapshot.to_dict()
    capabilities = _field(snapshot, "capabilities", {})
    requirements = _field(snapshot, "requirements", {})
    account.details_submitted = bool(_field(snapshot, "details_submitted", False))
    account.payouts_enabled = bool(_field(snapshot, "payouts_enabled", False))
    account.charges_enabled = bool(_field(snapshot, "charges_enabled", False))
    account.transfers = _field(capabilities, "transfers")
    account.currently_due = list(_field(requirements, "currently_due", []))
    account.past_due = list(_field(requirements, "past_due", []))
    account.disabled_reason = _field(requirements, "disabled_reason")
    account.status_as_of = as_of


def _update(account, snapshot, as_of):
    """Keep the snapshot unless the stored one is newer; tell her when payouts become active."""
    if account.status_as_of is not None and as_of < account.status_as_of:
        return False
    was_active = account.active
    _apply(account, snapshot, as_of)
    if account.active and not was_active:
        notifications.notify(
            account.user_id,
            "payout",
            "Payouts are active: Stripe has everything it needs to pay you.",
            link=notifications.path_for("reader.payouts"),
        )
    return True


def on_account_updated(event):
    """`account.updated` from the Connect webhook: the account's snapshot at `event.created`."""
    payload = event.payload
    account_id = payload.get("account")
    snapshot = event.data_object
    if not account_id or snapshot.get("id") != account_id:
        raise stripe_events.NotApplicable("not a Connect event about a connected account")
    if bool(payload.get("livemode")) != livemode():
        raise stripe_events.NotApplicable("the event's livemode does not match this platform's key")
    account = db.session.execute(
        sa.select(PayoutAccount).filter_by(stripe_account_id=account_id).with_for_update()
    ).scalar_one_or_none()
    if account is None:
        raise stripe_events.NotApplicable(f"{UNKNOWN_ACCOUNT} ({account_id})")
    as_of = datetime.fromtimestamp(int(payload.get("created") or 0), UTC)
    if account.status_as_of is not None and as_of == account.status_as_of:
        # Two snapshots of the same second cannot be ordered: ask Stripe for the account as it is.
        fetched = client().v1.accounts.retrieve(account_id)
        _update(account, fetched, _now())
        return
    _update(account, snapshot, as_of)


# --- her status in plain words --------------------------------------------------------------------

# Stripe's requirement names, by prefix, in the words the page uses (the first match wins).
REQUIREMENT_WORDS = (
    ("external_account", "your bank account"),
    ("individual.verification", "a photo of your ID"),
    ("individual.ssn_last_4", "your Social Security number"),
    ("individual.id_number", "your Social Security number"),
    ("individual.dob", "your date of birth"),
    ("individual.address", "your home address"),
    ("individual.first_name", "your legal name"),
    ("individual.last_name", "your legal name"),
    ("individual.email", "your email address"),
    ("individual.phone", "your phone number"),
    ("business_profile", "what you do (your profile on SoulSeer will do)"),
    ("business_type", "that you work as an individual"),
    ("tos_acceptance", "accepting Stripe's terms"),
)


OTHER_DETAILS = "other details Stripe asks for"


def requirement_words(names):
    """Stripe's list of what it still needs, as distinct plain phrases, in the order above."""
    words = []
    for name in names:
        phrase = next((w for prefix, w in REQUIREMENT_WORDS if name.startswith(prefix)), OTHER_DETAILS)
        if phrase not in words:
            words.append(phrase)
    order = [w for _, w in REQUIREMENT_WORDS] + [OTHER_DETAILS]
    return sorted(words, key=order.index)


def status_of(account):
    """(state, what is still needed) for the page: 'none', 'setup', 'review' or 'active'."""
    if account is None:
        return "none", []
    if account.active:
        return "active", []
    due = requirement_words(account.past_due + [n for n in account.currently_due if n not in account.past_due])
    if not due and account.details_submitted:
        return "review", []  # everything is in; Stripe is checking it
    return "setup", due


@export_section("payout_account")
def _export(user):
    """Her connected account as SoulSeer keeps it (Stripe holds her identity and bank details)."""
    account = db.session.execute(sa.select(PayoutAccount).filter_by(user_id=user.id)).scalar_one_or_none()
    if account is None:
        return None
    return {
        "stripe_account_id": account.stripe_account_id,
        "test": account.test,
        "details_submitted": account.details_submitted,
        "payouts_enabled": account.payouts_enabled,
        "transfers": account.transfers,
        "still_needed": requirement_words(account.past_due + account.currently_due),
        "status_as_of": iso(account.status_as_of),
        "created_at": iso(account.created_at),
    }
