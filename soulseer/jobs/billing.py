"""The billing tick, enqueued by the cron every few seconds (soulseer/jobs/cron.py)."""

from soulseer.jobs import with_app_context
from soulseer.services import metering


@with_app_context
def billing_tick():
    return metering.tick()
