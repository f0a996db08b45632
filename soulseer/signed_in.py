"""What every signed-in request costs before its own work: the person and their header, in one
statement.

Every page of a signed-in person needs the same things before the view runs: the user (by the id
and epoch in the session), whether they must still give consent (18+, the Terms, for readers the
Reader agreement), and for the header the wallet's balance (clients), the bell's unread count,
the unread messages (clients and readers) and a request waiting for a reader's answer. These were
five or six round trips to PostgreSQL, asked one by one by the user loader, the consent check and
one context processor per area. Here the user loader reads them all with the user in one
statement, each figure written by its own area as SQL (`reads.balance_clause`,
`notifications.unread_count_clause`, `unread.total_clause`, `room.pending_request_clause`,
`accounts.consent_clauses`), and the one context processor of the header hands them to the
templates (docs/benchmarks.md, "Signed-in pages").

Fresh, never cached across requests: the figures are read inside the request, so a page shows
every posting and notification committed before it was asked for. (What is kept across requests is
the layout's header and footer rendered from them, under the header versions read just before this
statement: soulseer/kept_header.py.) Within the request they stand
only while the request has written nothing: a POST (or any other method that may change
something) never uses the ones read with the user, and a flush, commit or rollback of the
request's session drops them, so a page rendered after its own change reads them again (one
statement).
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import g, request
from flask_login import current_user
from sqlalchemy.orm import joinedload

from soulseer import clock, kept_header
from soulseer.extensions import db, login_manager
from soulseer.ledger.accounts import wallet_spec

KEY = "signed_in.header"  # in the database session's info: the session's own writes drop it
SAFE_METHODS = frozenset({"GET", "HEAD"})


@dataclass(frozen=True)
class Header:
    """What the header shows its person; None where the role has no such thing."""

    balance: int | None  # the wallet's cents, for clients
    notifications: int  # unread, for the bell
    messages: int | None  # unread, for clients and readers
    pending_request_id: int | None  # the request waiting for a reader's answer

    @classmethod
    def of(cls, user, balance, notifications, messages, pending_request_id):
        return cls(
            balance=balance if user.is_client else None,
            notifications=notifications,
            messages=messages if (user.is_client or user.is_reader) else None,
            pending_request_id=pending_request_id if user.is_reader else None,
        )


def _figures(user_id):
    from soulseer.ledger import reads
    from soulseer.services.core import notifications
    from soulseer.services.messages import unread
    from soulseer.services.readings import room

    return (
        reads.balance_clause(sa.bindparam("wallet_code")),
        notifications.unread_count_clause(user_id),
        unread.total_clause(user_id),
        room.pending_request_clause(user_id, sa.bindparam("now")),
    )


_statements = {}


def _statement(name):
    """The two statements, built once per process with the user's id and the time as parameters:
    building them and computing their cache keys cost more CPU than running them."""
    if name not in _statements:
        from soulseer.models import User
        from soulseer.services import accounts

        user_id = sa.bindparam("user_id", type_=sa.Integer)
        if name == "user":
            statement = sa.select(User, *accounts.consent_clauses(user_id), *_figures(user_id)).where(
                User.id == user_id
            )
        else:
            statement = sa.select(*_figures(user_id))
        _statements[name] = statement
    return _statements[name]


def _parameters(user_id):
    return {"user_id": user_id, "wallet_code": wallet_spec(user_id)[0], "now": clock.now()}


def load_user(session_id):
    """Flask-Login's user loader: the session names the user and the epoch they signed in under (a
    newer epoch ends it). One statement reads the user, the consent figures and the header."""
    from soulseer.services import accounts

    user_id, _, epoch = session_id.partition(":")
    if not user_id.isdigit():
        return None
    # Her kept layout parts and the header versions they were kept under, read before the statement
    # reads what they show (soulseer/kept_header.py).
    kept = kept_header.look_up(int(user_id), session_id)
    row = db.session.execute(_statement("user"), _parameters(int(user_id))).one_or_none()
    if row is None:
        return None
    user, terms, agreement, accepted, *figures = row
    if not user.is_active or str(user.session_epoch) != epoch:
        return None
    g.consent_needed = accounts.consent_missing(user, terms, agreement, accepted)  # soulseer.views.consent_needed
    if request.method in SAFE_METHODS:
        entry = db.session().info[KEY] = (user.id, Header.of(user, *figures))
        if kept is not None:
            kept_header.arm(kept, entry)
    return user


def header():
    """The signed-in person's header figures (None for visitors): those read with the user while
    the request has written nothing, else read now in one statement."""
    if not (current_user and current_user.is_authenticated):
        return None
    info = db.session().info
    kept = info.get(KEY)
    if kept is None or kept[0] != current_user.id:
        figures = db.session.execute(_statement("header"), _parameters(current_user.id)).one()
        kept = info[KEY] = (current_user.id, Header.of(current_user, *figures))
    return kept[1]


def _forget(session, *args):
    session.info.pop(KEY, None)


def header_context():
    """The header's figures for every template (base.html and the partials it includes)."""
    figures = header()
    if figures is None:
        return {
            "header_balance": None,
            "notification_count": None,
            "messages_unread": None,
            "reading_alert_slot": False,
            "pending_request": None,
        }
    pending = None
    if figures.pending_request_id is not None:
        from soulseer.models import Reading

        # With its client, whose name the alert shows: one statement.
        pending = db.session.get(Reading, figures.pending_request_id, options=[joinedload(Reading.client)])
    return {
        "header_balance": figures.balance,
        "notification_count": figures.notifications,
        "messages_unread": figures.messages,
        # A reader's pages carry the slot for request alerts, with a waiting request already in it
        # (a request must not be missed because the page was loaded after the event).
        "reading_alert_slot": current_user.is_reader,
        "pending_request": pending,
    }


def init_app(app):
    from flask_sqlalchemy.session import Session

    login_manager.user_loader(load_user)
    kept_header.init_app(app)
    app.context_processor(header_context)
    for event in ("after_flush", "after_commit", "after_soft_rollback"):
        if not sa.event.contains(Session, event, _forget):
            sa.event.listen(Session, event, _forget)
