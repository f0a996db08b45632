"""The tick, enqueued by the cron every few seconds (soulseer/jobs/cron.py): each area's periodic
handler, registered with services/core/ticks.py (readings: the billing engine)."""

from soulseer.jobs import with_app_context
from soulseer.services.core import ticks


@with_app_context
def tick():
    return ticks.run()
