"""Email delivery job. Idempotent: an email already sent is not sent again."""

from soulseer.jobs import with_app_context
from soulseer.services.core import mail


@with_app_context
def deliver_email(email_id):
    return mail.deliver(email_id)
