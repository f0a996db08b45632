"""The outbox: mail is stored with the change that caused it and delivered by a job, over real SMTP."""

import pytest
from aiosmtpd.controller import Controller
from rq import Queue, SimpleWorker

from soulseer.extensions import db as database
from soulseer.jobs.mail import deliver_email
from soulseer.models import OutboundEmail
from soulseer.services.core import mail
from tests.support.live_server import free_port


class Inbox:
    """An SMTP server on loopback that keeps what it receives (aiosmtpd speaks the real protocol)."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(app):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    saved = {k: app.config[k] for k in ("SMTP_HOST", "SMTP_PORT", "SMTP_STARTTLS")}
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, SMTP_STARTTLS=False)
    yield inbox
    app.config.update(saved)
    controller.stop()


def queue_email(user):
    email = mail.send(user.email, "verify_email", user=user, link="http://127.0.0.1/verify-email/x")
    return email.id


def run_jobs(redis):
    SimpleWorker([Queue("default", connection=redis)], connection=redis).work(burst=True)


def test_mail_is_enqueued_only_when_the_transaction_commits(db, redis, make_user):
    user = make_user()
    queue_email(user)
    database.session.rollback()
    assert Queue("default", connection=redis).count == 0
    assert db.session.query(OutboundEmail).count() == 0

    email_id = queue_email(user)
    assert Queue("default", connection=redis).count == 0  # not before the commit
    database.session.commit()
    jobs = Queue("default", connection=redis).jobs
    assert [(job.func_name, job.args) for job in jobs] == [("soulseer.jobs.mail.deliver_email", (email_id,))]


def test_delivery_over_smtp_happens_once(db, redis, make_user, smtp_server):
    user = make_user(email="reader@example.test", display_name="Luna")
    email_id = queue_email(user)
    database.session.commit()
    run_jobs(redis)
    [message] = smtp_server.messages
    assert message.rcpt_tos == ["reader@example.test"]
    body = message.content.decode()
    assert "Subject: Confirm your email for SoulSeer" in body and "Hello Luna" in body
    database.session.expire_all()
    assert database.session.get(OutboundEmail, email_id).sent_at is not None
    deliver_email(email_id)  # a retried or duplicated job sends nothing more
    assert len(smtp_server.messages) == 1


def test_without_smtp_mail_stays_in_the_outbox(db, redis, make_user, client):
    user = make_user()
    email_id = queue_email(user)
    database.session.commit()
    run_jobs(redis)
    database.session.expire_all()
    assert database.session.get(OutboundEmail, email_id).sent_at is None
    page = client.get("/dev/mail").get_data(as_text=True)
    assert 'href="http://127.0.0.1/verify-email/x"' in page  # links are clickable


def test_smtp_failure_is_recorded_and_retryable(app, db, redis, make_user):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), SMTP_STARTTLS=False)  # nobody listens
    try:
        user = make_user()
        email_id = queue_email(user)
        database.session.commit()
        with pytest.raises(OSError):
            deliver_email(email_id)
    finally:
        app.config.update(SMTP_HOST="", SMTP_PORT=587, SMTP_STARTTLS=True)
    database.session.expire_all()
    email = database.session.get(OutboundEmail, email_id)
    assert email.sent_at is None and email.attempts == 1 and "Connection" in email.last_error


def test_mail_page_is_not_there_in_production(app):
    from soulseer import create_app

    production = create_app({"ENV_PRODUCTION": True})
    assert production.test_client().get("/dev/mail").status_code == 404
