"""Reader status (PRODUCT.md §3): online / busy / offline, going offline when idle, and the
"notify me when online" requests that a reader coming online consumes.

Busy has two reasons: an on-demand reading ("In a reading"), or a scheduled one ("Busy — scheduled
reading", `busy_scheduled`): from 5 minutes before a booking's start (the bookings area's rule,
`register_scheduled`) until its reading is over. Clients cannot ask a busy reader for a reading.

Every change is published after its commit: the reader's status badge and card to every open tab
(`reader-status-<profile id>`, `reader-card-<profile id>`), the dashboard switch to the reader's
other tabs (`reader-switch`). See docs/events.md.

Activity: every request a signed-in reader makes and every keep-alive of their open event stream
is recorded in Redis (`events.record_presence`), not in the database, so a busy reader costs no
writes. The periodic job `offline_idle_readers` folds it into `reader_profiles.last_seen_at` and
turns online readers with no activity for READER_IDLE_OFFLINE_MINUTES (10) offline. A reader with
the app open in a tab therefore stays online; one who closed it goes offline within 11 minutes.
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from jinja2 import TemplateNotFound
from sqlalchemy.dialects.postgresql import insert

from soulseer import clock
from soulseer.errors import DomainError
from soulseer.extensions import db, get_redis
from soulseer.models import ReaderProfile, ReaderStatus
from soulseer.models.notification import OnlineNotificationRequest
from soulseer.services.core import after_commit, events, notifications

SCHEDULED_RULE = "reader_status.scheduled"
MISSED_REQUESTS_KEY = "soulseer:missed-requests:{profile_id}"
MISSED_REQUESTS_LIMIT = 3


class StatusError(DomainError):
    """A status change (or an online alert) that is not allowed; the message says why."""


def _lock(profile):
    """The profile row, locked for this transaction (a switch, a reading and the job may race)."""
    return db.session.execute(
        sa.select(ReaderProfile).filter_by(id=profile.id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()


def _change(profile, status, scheduled=False):
    """Set `status` (busy with a scheduled reading when `scheduled`) and publish after commit. Coming
    online (from offline or busy) tells every client waiting for this reader, once, and consumes
    their requests."""
    profile = _lock(profile)
    previous = (profile.status, profile.busy_scheduled)
    profile.status, profile.busy_scheduled = status, scheduled
    profile.last_seen_at = clock.now()
    if status == ReaderStatus.ONLINE and previous[0] != ReaderStatus.ONLINE:
        _tell_waiting_clients(profile)
    if (status, scheduled) != previous:
        after_commit.run_once(publish_status, profile.id)
    return profile


def register_scheduled(app, due):
    """The bookings area's rule: `due(reader_id, now)` says whether a booked reading of hers is due
    and its room not open yet (from 5 minutes before its start). Registered in its init_app."""
    app.extensions[SCHEDULED_RULE] = due


def scheduled_reading_due(profile, now=None):
    """Whether a scheduled reading holds the reader now, before its room is open: she takes no
    on-demand request and, once out of any other reading, shows "Busy — scheduled reading"."""
    due = current_app.extensions.get(SCHEDULED_RULE)
    return due is not None and due(profile.user_id, now or clock.now())


def go_online(profile):
    """The reader's switch: online. A reader in a reading stays busy until it ends."""
    if profile.busy_scheduled:
        raise StatusError("Your booked reading is due; you will be online again when it ends.")
    if profile.status == ReaderStatus.BUSY:
        raise StatusError("You are in a reading; you will be online again when it ends.")
    clear_missed_requests(profile)
    return _change(profile, ReaderStatus.ONLINE)


def go_offline(profile):
    """The reader's switch (or the system): offline. Clients can no longer request a reading."""
    return _change(profile, ReaderStatus.OFFLINE)


def set_busy(profile, scheduled=False):
    """For the readings area: the reader is in a reading (automatic, PRODUCT.md §3); `scheduled`
    when it is a booked one."""
    return _change(profile, ReaderStatus.BUSY, scheduled)


def set_available(profile):
    """For the readings area: the reading ended; the reader is online again — unless a scheduled
    reading of hers is due, which keeps her busy until its room opens (the bookings' tick)."""
    if scheduled_reading_due(profile):
        return _change(profile, ReaderStatus.BUSY, scheduled=True)
    return _change(profile, ReaderStatus.ONLINE)


# --- missed requests (the readings area calls these) ----------------------------------------


def record_missed_request(profile):
    """A request the reader let time out. The third in a row takes them offline (PRODUCT.md §3);
    returns True when it did. The readings area calls this when a request expires unanswered and
    commits."""
    key = MISSED_REQUESTS_KEY.format(profile_id=profile.id)
    missed = get_redis().incr(key)
    get_redis().expire(key, 24 * 3600)
    if missed >= MISSED_REQUESTS_LIMIT and profile.status == ReaderStatus.ONLINE:
        go_offline(profile)
        clear_missed_requests(profile)
        return True
    return False


def clear_missed_requests(profile):
    """The reader answered a request (accepted or declined) or came online: the count starts over."""
    get_redis().delete(MISSED_REQUESTS_KEY.format(profile_id=profile.id))


# --- notify me when online -------------------------------------------------------------------


def online_alert_requested(client, profile):
    return (
        db.session.execute(
            sa.select(OnlineNotificationRequest.id).filter_by(client_id=client.id, reader_id=profile.user_id)
        ).first()
        is not None
    )


def request_online_alert(client, profile):
    """The client wants one notification when this reader next comes online. Idempotent."""
    if not client.is_client:
        raise StatusError("Only clients can ask to be notified.")
    if profile.status == ReaderStatus.ONLINE:
        raise StatusError(f"{profile.display_name} is online now.")
    db.session.execute(
        insert(OnlineNotificationRequest)
        .values(client_id=client.id, reader_id=profile.user_id, created_at=clock.now())
        .on_conflict_do_nothing(constraint="uq_online_notification_requests_pair")
    )


def cancel_online_alert(client, profile):
    db.session.execute(sa.delete(OnlineNotificationRequest).filter_by(client_id=client.id, reader_id=profile.user_id))


def _tell_waiting_clients(profile):
    """One notification per waiting client; the requests are used up (they may ask again)."""
    client_ids = db.session.execute(
        sa.delete(OnlineNotificationRequest)
        .filter_by(reader_id=profile.user_id)
        .returning(OnlineNotificationRequest.client_id)
    ).scalars()
    for client_id in sorted(client_ids):
        notifications.notify(
            client_id, "reader_online", f"{profile.display_name} is online now.", link=f"/readers/{profile.slug}"
        )


# --- publishing ------------------------------------------------------------------------------


@events.publisher(ReaderProfile)
def publish_status(profile):
    """After commit: the re-rendered badge and card to every tab, the switch to the reader's."""
    from flask import render_template

    for event, template, name in (
        (f"reader-status-{profile.id}", "readers/_status_badge.html", "profile"),
        (f"reader-card-{profile.id}", "readers/_reader_card.html", "reader"),
    ):
        try:
            html = render_template(template, **{name: profile})
        except TemplateNotFound:
            continue  # that page does not exist (yet)
        events.publish_public(event, html)
    switch = render_template("reader/_status_switch.html", status_profile=profile, status_error=None, csrf_field=False)
    events.publish_to_user(profile.user_id, "reader-switch", switch)


# --- going offline when idle -----------------------------------------------------------------


def offline_idle_readers():
    """Fold recorded activity into last_seen_at; turn online readers idle for the limit offline.
    Returns how many went offline. Safe to run in several workers at once (row locks, SKIP LOCKED)."""
    idle_after = timedelta(minutes=current_app.config["READER_IDLE_OFFLINE_MINUTES"])
    now = clock.now()
    online = db.session.execute(
        sa.select(ReaderProfile)
        .filter_by(status=ReaderStatus.ONLINE)
        .order_by(ReaderProfile.id)
        .with_for_update(skip_locked=True)
    ).scalars()
    online = list(online)
    if not online:
        db.session.commit()
        return 0
    redis = get_redis()
    seen = redis.mget([events.PRESENCE_KEY.format(user_id=p.user_id) for p in online])
    went_offline = 0
    for profile, raw in zip(online, seen, strict=True):
        if raw is not None:
            active_at = datetime.fromtimestamp(float(raw), UTC)
            if profile.last_seen_at is None or active_at > profile.last_seen_at:
                profile.last_seen_at = active_at
        if profile.last_seen_at is None or now - profile.last_seen_at >= idle_after:
            profile.status = ReaderStatus.OFFLINE
            after_commit.run_once(publish_status, profile.id)
            went_offline += 1
    db.session.commit()
    return went_offline
