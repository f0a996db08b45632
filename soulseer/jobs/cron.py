"""The cron configuration: `rq cron soulseer/jobs/cron.py`. Exactly one cron process runs."""

from rq import cron

from soulseer.jobs.heartbeat import record_cron_heartbeat

cron.register(record_cron_heartbeat, queue_name="default", interval=10, result_ttl=60)
