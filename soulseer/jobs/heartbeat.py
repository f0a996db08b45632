"""The cron's heartbeat: a periodic job that records when the cron last enqueued it."""

from rq import get_current_job

from soulseer import clock
from soulseer.jobs import with_app_context
from soulseer.services.core import health


@with_app_context
def record_cron_heartbeat():
    job = get_current_job()
    enqueued_at = job.enqueued_at if job and job.enqueued_at else clock.now()
    health.record_heartbeat(health.CRON, enqueued_at)
