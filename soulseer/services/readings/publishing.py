"""Every state change of a reading (states.py calls `on_transition`) is published after its commit
to both participants over their event streams, and moves the reader's status (busy while a
reading is accepted or running, online again when it is over). The room's fragments are rendered
per person, so they go to each user with `publish_to_user`, never publicly. `init_app` plugs the
readings area into the shared parts: state changes, the tick and the ledger's checks."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from soulseer.extensions import db
from soulseer.ledger import accounts, reads, verify
from soulseer.models import Booking, ReaderProfile, ReaderStatus
from soulseer.models.base import one_of
from soulseer.models.reading import EndReason, Reading, ReadingState
from soulseer.services.core import after_commit, events, notifications, ticks
from soulseer.services.marketplace import profiles, reader_status
from soulseer.services.readings import billing
from soulseer.services.readings.room import ROOM_STATES, render_alert, render_status
from soulseer.services.readings.states import LISTENERS

S = ReadingState


def publish_after_commit(reading):
    after_commit.run_batched(publish_readings, reading.id)


def publish_readings(reading_ids):
    """Both participants' live panels of each reading, and the reader's alert (shown or cleared):
    one context and one load for them all, one round trip to Redis (a tick cancels hundreds). Only
    to people with a page open (events.with_open_tabs): a panel is rendered per person, and the
    page anyone else opens next is drawn fresh."""
    with events.isolated_context():
        readings = (
            db.session.execute(
                sa.select(Reading)
                .where(one_of(Reading.id, reading_ids))
                .options(selectinload(Reading.client), selectinload(Reading.reader))
                .order_by(Reading.id)
            )
            .scalars()
            .all()
        )
        present = events.with_open_tabs(
            user_id for reading in readings for user_id in (reading.client_id, reading.reader_id)
        )
        readings = [r for r in readings if r.client_id in present or r.reader_id in present]
        # What the panels read besides the readings, for all of them at once: the bookings (into
        # the session, where the panel's `get` finds them) and the clients' balances.
        booked = [reading.booking_id for reading in readings if reading.booking_id is not None]
        bookings = db.session.execute(sa.select(Booking).where(one_of(Booking.id, booked))).scalars().all()
        specs = {reading.client_id: accounts.wallet_spec(reading.client_id) for reading in readings}
        balances = reads.balances(specs.values())
        from soulseer import templating

        render = templating.renderer()
        no_alert = None  # the alert of a reading not waiting for an answer: the same for everyone
        messages = []
        for reading in readings:
            for user_id in (reading.client_id, reading.reader_id):
                if user_id not in present:
                    continue
                wallet_cents = balances[specs[reading.client_id][0]]
                panel = render_status(reading, user_id, wallet_cents, render)
                messages.append((user_id, f"reading-{reading.id}", panel))
            if reading.reader_id not in present:
                continue
            if reading.state == S.REQUESTED:
                alert = render_alert(reading)
            else:
                no_alert = no_alert if no_alert is not None else render_alert(None)
                alert = no_alert
            messages.append((reading.reader_id, "reading-alert", alert))
        del bookings  # held until here: the session keeps only weak references
    events.publish_many(messages)


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
