"""Admin: the Stripe events list (applied / failed and why) and retrying a failed one."""

import pytest
import sqlalchemy as sa
from rq import Queue

from soulseer import clock
from soulseer.models import AuditEntry, StripeEvent


@pytest.fixture
def as_admin(client, login, make_user):
    return login(client, make_user(role="admin", consented=True))


def add_event(db, event_id, status, error=None):
    db.session.add(
        StripeEvent(
            id=event_id,
            type="checkout.session.completed",
            payload={"id": event_id},
            status=status,
            error=error,
            received_at=clock.now(),
        )  # fmt: skip
    )
    db.session.commit()


def test_events_are_listed_with_their_status_and_reason(as_admin, db):
    add_event(db, "evt_ok", "applied")
    add_event(db, "evt_bad", "failed", "amount mismatch: session 2600, top-up 2500")
    html = as_admin.get("/admin/ledger/stripe-events").get_data(as_text=True)
    assert "evt_ok" in html and "evt_bad" in html and "amount mismatch" in html
    failed_only = as_admin.get("/admin/ledger/stripe-events?status=failed").get_data(as_text=True)
    assert "evt_bad" in failed_only and "evt_ok" not in failed_only
    assert "Process again" in failed_only


def test_retrying_a_failed_event_queues_it_once_and_is_audited(as_admin, post_form, db, redis):
    add_event(db, "evt_bad", "failed", "unknown user")
    response = post_form(as_admin, "/admin/ledger/stripe-events/evt_bad/retry")
    assert response.status_code == 302
    jobs = Queue("default", connection=redis).jobs
    assert [(job.func_name, job.args) for job in jobs] == [
        ("soulseer.jobs.payments.process_stripe_event", ("evt_bad",))
    ]
    [entry] = db.session.execute(sa.select(AuditEntry).filter_by(action="stripe_event.retry")).scalars()
    assert entry.before["stripe_event"] == "evt_bad" and entry.before["error"] == "unknown user"


def test_an_applied_event_is_not_retried(as_admin, post_form, db, redis):
    add_event(db, "evt_ok", "applied")
    post_form(as_admin, "/admin/ledger/stripe-events/evt_ok/retry")
    assert Queue("default", connection=redis).count == 0
    assert db.session.query(AuditEntry).count() == 0
    assert post_form(as_admin, "/admin/ledger/stripe-events/evt_missing/retry").status_code == 404


def test_clients_cannot_see_stripe_events(client, login, make_user):
    assert login(client, make_user(role="client", consented=True)).get("/admin/ledger/stripe-events").status_code == 403
