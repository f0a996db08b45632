"""Stripe webhook jobs. Idempotent: an event already applied is not applied again."""

from datetime import timedelta

from soulseer.jobs import get_queue, with_app_context
from soulseer.services.payments import stripe_events

# A stored event still "received" this long after it came in lost its job (Redis restarted,
# the worker was killed): the cron enqueues it again.
STUCK_AFTER = timedelta(minutes=2)


@with_app_context
def process_stripe_event(event_id):
    return stripe_events.process(event_id)


@with_app_context
def requeue_stuck_stripe_events():
    event_ids = stripe_events.stuck_event_ids(STUCK_AFTER)
    queue = get_queue()
    for event_id in event_ids:
        queue.enqueue(process_stripe_event, event_id)
    return len(event_ids)
