"""The reading state machine, in one place. An illegal transition raises and changes nothing.

Every change to a reading happens on its row locked for the transaction (`lock(id)`), so a
heartbeat, the tick, an End click and an admin never change one reading at the same time."""

import sqlalchemy as sa

from soulseer import clock
from soulseer.extensions import db
from soulseer.models.reading import Reading, ReadingEvent, ReadingState

S = ReadingState
TRANSITIONS = {
    S.REQUESTED: {S.ACCEPTED, S.CANCELLED},
    S.ACCEPTED: {S.ACTIVE, S.CANCELLED},
    S.ACTIVE: {S.PAUSED, S.ENDED},
    S.PAUSED: {S.ACTIVE, S.ENDED},
    S.ENDED: {S.FINALIZED},
    S.FINALIZED: set(),
    S.CANCELLED: set(),
}


# Called as listener(reading, from_state, to_state, reason) after every change, in the same
# transaction (the room publishes after commit; the reader's status follows): readings/publishing.py.
LISTENERS = []


class IllegalTransition(Exception):
    def __init__(self, reading, to_state):
        super().__init__(f"reading {reading.id}: {reading.state} -> {to_state} is not allowed")
        self.reading = reading
        self.to_state = to_state


def lock(reading_id):
    """The reading, locked for this transaction (every change to a reading goes through this)."""
    return db.session.execute(
        sa.select(Reading).where(Reading.id == reading_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one_or_none()


def can(reading, to_state):
    return to_state in TRANSITIONS[ReadingState(reading.state)]


def transition(reading, to_state, reason=None, at=None):
    """Move the (locked) reading to `to_state`, recording the change. Raises IllegalTransition."""
    if not can(reading, to_state):
        raise IllegalTransition(reading, to_state)
    db.session.add(
        ReadingEvent(
            reading_id=reading.id, from_state=reading.state, to_state=to_state, reason=reason, at=at or clock.now()
        )  # fmt: skip
    )
    from_state = reading.state
    reading.state = to_state
    for listener in LISTENERS:
        listener(reading, from_state, to_state, reason)
