"""Email delivery job. Idempotent: an email already sent is not sent again."""

from soulseer.extensions import db
from soulseer.jobs import with_app_context
from soulseer.services.core import mail


@with_app_context
def deliver_email(email_id):
    return mail.deliver(email_id)


@with_app_context
def deliver_emails(email_ids):
    """A batch of emails (mail.send_many), in turn; one that fails does not stop the others, and the
    job fails afterwards, so a retry sends only those not sent yet."""
    failed = None
    for email_id in email_ids:
        try:
            mail.deliver(email_id)
        except Exception as error:
            db.session.rollback()
            failed = failed or error
    if failed is not None:
        raise failed
    return len(email_ids)
