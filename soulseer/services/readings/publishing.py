"""Every state change of a reading (states.py calls `on_transition`) is published after its commit
to both participants over their event streams, and moves the reader's status (busy while a
reading is accepted or running, online again when it is over). The room's fragments are rendered
per person, so they go to each user with `publish_to_user`, never publicly. `init_app` plugs the
readings area into the shared parts: state changes, the tick and the ledger's checks."""

import sqlalchemy as sa

from soulseer.extensions import db
from soulseer.ledger import verify
from soulseer.models import ReaderProfile, ReaderStatus
from soulseer.models.reading import EndReason, Reading, ReadingState
from soulseer.services.core import after_commit, events, notifications, ticks
from soulseer.services.marketplace import profiles, reader_status
from soulseer.services.readings import billing
from soulseer.services.readings.room import ROOM_STATES, render_alert, render_status
from soulseer.services.readings.states import LISTENERS

S = ReadingState


def publish_after_commit(reading):
    after_commit.run_once(publish_reading, reading.id)


def publish_reading(reading_id):
    """Both participants' live panels, and the reader's alert (shown or cleared)."""
    with events.isolated_context():
        reading = db.session.get(Reading, reading_id)
        if reading is None:
            return
        for user_id in (reading.client_id, reading.reader_id):
            events.publish_to_user(user_id, f"reading-{reading.id}", render_status(reading, user_id))
        events.publish_to_user(reading.reader_id, "reading-alert", render_alert(reading))


def on_transition(reading, from_state, to_state, reason):
    """Every state change: publish it after commit; keep the reader's status and figures in step."""
    publish_after_commit(reading)
    if to_state == S.FINALIZED:
        # The reader page's "N readings" counts finalized readings (same transaction, atomic increment).
        db.session.execute(
            sa.update(ReaderProfile)
            .where(ReaderProfile.user_id == reading.reader_id)
            .values(readings_count=ReaderProfile.readings_count + 1)
        )
    profile = profiles.profile_for(reading.reader_id)
    if profile is None:
        return
    if to_state == S.ACCEPTED:
        reader_status.clear_missed_requests(profile)
        reader_status.set_busy(profile, scheduled=reading.booking_id is not None)
    elif to_state == S.CANCELLED and reason == EndReason.DECLINED:
        reader_status.clear_missed_requests(profile)
    elif to_state == S.CANCELLED and reason == EndReason.EXPIRED:
        reader_status.record_missed_request(profile)
    if to_state in (S.CANCELLED, S.ENDED) and from_state in ROOM_STATES and profile.status == ReaderStatus.BUSY:
        reader_status.set_available(profile)


def request_created(reading):
    """A new request: the reader's alert on every open page, and a notification in their bell."""
    publish_after_commit(reading)
    notifications.notify(
        reading.reader_id,
        "request",
        f"{reading.client.display_name} asks for a {reading.mode} reading.",
        link=f"/readings/{reading.id}",
    )


def init_app(app):
    """The readings area plugs into the shared parts: state changes, the tick, the ledger's checks."""
    if on_transition not in LISTENERS:
        LISTENERS.append(on_transition)
    ticks.register(app, "readings", billing.tick)
    verify.register_finished_holds(app, "reading", "readings", (S.FINALIZED, S.CANCELLED))
