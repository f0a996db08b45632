"""Email through the outbox: stored with the change that caused it, delivered by a job after commit."""

import contextlib
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

import sqlalchemy as sa
from flask import current_app, has_request_context, render_template, url_for

from soulseer import clock
from soulseer.extensions import db
from soulseer.models import OutboundEmail
from soulseer.services.core import after_commit, header_versions


def external_url(endpoint, **values):
    """An absolute link for an email: the request's host, or PUBLIC_URL outside a request."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        return url_for(endpoint, _external=True, **values)


@contextlib.contextmanager
def links_outside_request():
    """One request context at PUBLIC_URL for a batch of links built outside a request (a tick), so
    `external_url` and `notifications.path_for` give what they give there without making one
    context per link. Inside a request it changes nothing."""
    if has_request_context():
        yield
        return
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        yield


def send(to_address, template, calendar=None, **context):
    """Queue `email/<template>.txt` (first line `Subject: ...`) to one address; part of the caller's
    transaction, delivered only if it commits. `calendar`: (method, iCalendar text) to attach."""
    rendered = render_template(f"email/{template}.txt", **context)
    first_line, _, body = rendered.partition("\n")
    subject = first_line.removeprefix("Subject:").strip()
    email = OutboundEmail(to_address=to_address, subject=subject, body_text=body.strip() + "\n")
    if calendar is not None:
        email.calendar_method, email.calendar_ics = calendar
    db.session.add(email)
    db.session.flush()
    from soulseer.jobs.mail import deliver_email

    after_commit.enqueue(deliver_email, email.id)
    return email


def send_many(messages):
    """Queue several emails, [(to address, template, context)], in one INSERT in the caller's
    transaction; after commit one job delivers them in turn (each still sent once: `deliver`)."""
    from soulseer import templating

    addresses, subjects, bodies, render = [], [], [], templating.renderer()
    for to_address, template, context in messages:
        rendered = render(f"email/{template}.txt", **context)
        first_line, _, body = rendered.partition("\n")
        addresses.append(to_address)
        subjects.append(first_line.removeprefix("Subject:").strip())
        bodies.append(body.strip() + "\n")
    if not addresses:
        return []
    ids = list(
        db.session.execute(
            _INSERT_MANY,
            {"addresses": addresses, "subjects": subjects, "bodies": bodies, "at": clock.now()},
            execution_options=header_versions.naming(()),  # emails: nobody's header
        ).scalars()
    )
    from soulseer.jobs.mail import deliver_emails

    after_commit.enqueue(deliver_emails, ids)
    return ids


# One short statement with three arrays (see notifications.notify_many).
_INSERT_MANY = sa.text(
    "INSERT INTO outbound_emails (to_address, subject, body_text, attempts, created_at)"
    " SELECT to_address, subject, body_text, 0, :at FROM unnest(CAST(:addresses AS text[]),"
    " CAST(:subjects AS text[]), CAST(:bodies AS text[])) AS e(to_address, subject, body_text) RETURNING id"
)


def smtp_configured():
    return bool(current_app.config["SMTP_HOST"])


def deliver(email_id):
    """Send one stored email over SMTP, once. Without SMTP it stays in the outbox."""
    email = db.session.get(OutboundEmail, email_id, with_for_update=True)
    if email is None or email.sent_at is not None or not smtp_configured():
        db.session.rollback()
        return False
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message["Message-ID"] = make_msgid(idstring=f"soulseer-{email.id}")
    message.set_content(email.body_text)
    if email.calendar_ics:
        # The part's method must match the file's METHOD, or Outlook refuses it (next-areas.md S-8).
        message.add_attachment(
            email.calendar_ics.encode(), maintype="text", subtype="calendar", filename="reading.ics",
            params={"method": email.calendar_method, "charset": "utf-8"},
        )  # fmt: skip
    email.attempts += 1
    try:
        with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=30) as smtp:
            if config["SMTP_STARTTLS"]:
                smtp.starttls()
            if config["SMTP_USERNAME"]:
                smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        email.last_error = f"{type(error).__name__}: {error}"[:2000]
        db.session.commit()
        raise
    email.sent_at = clock.now()
    email.last_error = None
    db.session.commit()
    return True
