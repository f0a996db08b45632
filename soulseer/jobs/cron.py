"""The cron configuration: `rq cron soulseer/jobs/cron.py`. Exactly one cron process runs."""

from rq import cron

from soulseer.jobs.heartbeat import record_cron_heartbeat
from soulseer.jobs.payments import requeue_stuck_stripe_events
from soulseer.jobs.reader_status import offline_idle_readers
from soulseer.jobs.tick import tick

cron.register(record_cron_heartbeat, queue_name="default", interval=10, result_ttl=60)
# Stripe events whose processing job was lost are enqueued again (processing is idempotent).
cron.register(requeue_stuck_stripe_events, queue_name="default", interval=60, result_ttl=300)
# The tick: every area's timed work (services/core/ticks.py); for readings, the billing engine:
# reserves each metered minute, pauses and ends readings, settles them.
cron.register(tick, queue_name="default", interval=5, result_ttl=30)
# Online readers idle for 10 minutes go offline (activity folded in from Redis each run).
cron.register(offline_idle_readers, queue_name="default", interval=60, result_ttl=300)
