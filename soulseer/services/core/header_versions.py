"""Per-person versions of what a signed-in page shows around its shared part (issue #20).

A signed-in client's page is the shared part (the browse list, the home page's sections: the
marketplace version says when they change) inside her own layout: her name, her role's links, her
consent, the header's wallet balance, the bell's unread count and the unread messages. Her finished
response may be kept and given to her again (soulseer/signed_in_responses.py) only while none of
those changed. So each person has a **header version** in Redis, replaced by a new random value
after every committed change to any of them, and a **global header version** for changes that
concern everyone (a new Terms version) or whose people cannot be told from the statement.

What moves them is found, not remembered (as the marketplace version, services/marketplace/
page_cache.py): listeners on every session flush and every ORM statement (`do_orm_execute`) mark
the transaction when it writes
- a user row (name, role, status, session epoch, consent): that user;
- a notification (new, read, deleted): its user;
- a conversation (read positions) or a message (new, hidden): both people of the conversation;
- an agreement acceptance: its user; a content page (the Terms' version): everyone;
- her calendar feed (turned on, a new address, turned off): her, whose bookings list shows it;
- a reading, a booking, a review or a favourite (new, changed, deleted): its client, whose
  dashboard lists them (readings/states.py's transitions, the billing tick's minutes, bookings
  made, started, ended, cancelled, reviews written or hidden, favourites added or removed);
- a bulk INSERT/UPDATE/DELETE on those tables: the users its rows (those given to execute, or
  the statement's own one row of `.values()`) or its `WHERE column = value` name, else everyone;
  any other textual (non-SELECT) statement through the session: everyone, unless it names its
  people with `naming(user_ids)` (notify_many's INSERT … unnest: its users; mail.send_many's:
  nobody);
and the ledger's one writer (`ledger.posting.post_many`) names the owners of the client wallets
each posting moves (`changed`): top-ups, charges, holds and releases, refunds, gifts, adjustments,
disputes, the billing tick's minutes; and a wallet frozen by a dispute or freed by an admin (her
wallet page shows it: `ledger.operations.freeze` / `lift_freeze`).

When: once **before** the commit (so a page read from rows that are about to change is never kept
under the version that follows) and again **after** it, first in the after-commit queue, so the
version has moved before any tab hears of the change through the event stream and before the
request that made the change answers. SQL that bypasses the session (db.engine, raw connections,
psql) must call `bump_users()` / `bump_everyone()` itself. What is missed — such SQL, a process
that dies between a commit and its bump (the bump before the commit covers what was flushed by
then), Redis unreachable for the bump but not for the read — is bounded by the kept responses'
lifetime (`BROWSE_CACHE_SECONDS`, 300 s).
"""

import logging
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import util as orm_util

from soulseer.extensions import get_redis
from soulseer.services.core import after_commit

GLOBAL_KEY = "soulseer:header:version"
USER_KEY = "soulseer:header:version:{user_id}"
PENDING = "header_versions.pending"  # in the session's info: (set of user ids, [everyone?])

# table -> the column that names the person a row concerns (conversations and messages: below).
# Readings, bookings, reviews and favourites: their client, whose dashboard lists them (readers'
# pages are not kept whole).
PERSON_COLUMNS = {
    "users": "id", "notifications": "user_id", "agreement_acceptances": "user_id",
    "readings": "client_id", "bookings": "client_id", "reviews": "client_id", "favourites": "client_id",
    "calendar_feeds": "user_id",  # on her bookings list
}  # fmt: skip
# Columns no page shows, whose change alone moves nobody's version: when each side of a reading was
# last heard, which the billing tick folds in from Redis (readings/presence.py) for every active
# reading about every 25 s; the rules read them, the pages show the state they lead to. Were they to
# move her version, no kept heartbeat row (soulseer/quick_heartbeats.py) would outlive 25 s.
UNSHOWN_COLUMNS = {"readings": frozenset({"client_seen_at", "reader_seen_at"})}
CONVERSATION_TABLES = {"conversations": "id", "messages": "conversation_id"}
EVERYONE_TABLES = frozenset({"content_pages"})
WATCHED_TABLES = frozenset(PERSON_COLUMNS) | frozenset(CONVERSATION_TABLES) | EVERYONE_TABLES
# The execution option of a text statement that says whose header it changes (`naming`).
PEOPLE_OPTION = "header_people"

log = logging.getLogger(__name__)


# --- the versions ------------------------------------------------------------------------------


def user_key(user_id):
    return USER_KEY.format(user_id=int(user_id))


def bump_users(user_ids):
    """Every kept response of these people is stale (one MSET, however many)."""
    user_ids = {int(user_id) for user_id in user_ids}
    if user_ids:
        token = uuid.uuid4().hex
        get_redis().mset({user_key(user_id): token for user_id in user_ids})


def bump_everyone():
    get_redis().set(GLOBAL_KEY, uuid.uuid4().hex)


# --- what the transaction changes --------------------------------------------------------------


def naming(user_ids):
    """Execution options for a text statement that changes the header of exactly these people (none:
    an empty list), so that it moves only their versions: a text statement says nothing the
    listeners can read, and one that does not say so moves everyone's."""
    return {PEOPLE_OPTION: tuple(int(user_id) for user_id in user_ids)}


def _pending(session):
    pending = session.info.setdefault(PENDING, (set(), [False]))
    # Asked every time (one set lookup): the bump is queued in this transaction whatever became
    # of an earlier one's queue.
    after_commit.run_once(_bump_after_commit, session, first=True, session=session)
    return pending


def changed(user_ids, session=None):
    """These people's header changes with the current transaction: bump their versions at its commit."""
    if session is None:
        from soulseer.extensions import db

        session = db.session()
    _pending(session)[0].update(int(user_id) for user_id in user_ids if user_id is not None)


def changed_for_everyone(session):
    _pending(session)[1][0] = True


def _bump(pending):
    users, everyone = pending
    if everyone[0]:
        bump_everyone()
    bump_users(users)


def _bump_before_commit(session):
    if session.in_nested_transaction():
        return
    pending = session.info.get(PENDING)
    if pending is not None:
        try:
            _bump(pending)
        except Exception:
            log.exception("header versions: could not bump before the commit")


def _bump_after_commit(session):
    pending = session.info.pop(PENDING, None)
    if pending is not None:
        _bump(pending)


def _forget(session, previous_transaction):
    if not previous_transaction.nested:
        session.info.pop(PENDING, None)


def _conversation_people(session, conversation_id):
    """The two people of a conversation the session holds, or None when it does not hold it."""
    from soulseer.models import Conversation

    if conversation_id is None:
        return None
    found = session.identity_map.get(orm_util.identity_key(Conversation, conversation_id))
    return None if found is None else (found.client_id, found.reader_id)


def _table_of(obj):
    return getattr(getattr(type(obj), "__table__", None), "name", None)


def _object_people(session, obj):
    """The people whose header `obj` (a changed row of a watched table) concerns: a tuple, None for
    "cannot tell" (then everyone)."""
    name = _table_of(obj)
    if name in PERSON_COLUMNS:
        return (getattr(obj, PERSON_COLUMNS[name]),)
    if name == "conversations":
        return (obj.client_id, obj.reader_id)
    if name == "messages":
        return _conversation_people(session, obj.conversation_id)
    return None  # EVERYONE_TABLES


def _shown_change(obj):
    """Whether an updated row changed a column some page shows (not only UNSHOWN_COLUMNS). The
    attributes set since the row was loaded are the keys of its committed state: one set, where
    walking every attribute's history would cost the billing tick's flush of 10,000 readings."""
    unshown = UNSHOWN_COLUMNS.get(_table_of(obj))
    return unshown is None or not sa.inspect(obj).committed_state.keys() <= unshown


def _after_flush(session, flush_context):
    changed_rows = [obj for obj in (*session.new, *session.deleted) if _table_of(obj) in WATCHED_TABLES]
    changed_rows += [
        obj
        for obj in session.dirty
        if _table_of(obj) in WATCHED_TABLES and session.is_modified(obj) and _shown_change(obj)
    ]
    for obj in changed_rows:
        people = _object_people(session, obj)
        if people is None:
            changed_for_everyone(session)
        else:
            changed(people, session)


def _equal_to(whereclause, column_name):
    """The value `WHERE <column_name> = value` pins (alone or ANDed with other conditions), or None."""
    if whereclause is None:
        return None
    clauses = whereclause.clauses if isinstance(whereclause, sa.sql.elements.BooleanClauseList) else [whereclause]
    if isinstance(whereclause, sa.sql.elements.BooleanClauseList) and whereclause.operator is not sa.sql.operators.and_:
        return None
    for clause in clauses:
        if (
            isinstance(clause, sa.sql.elements.BinaryExpression)
            and clause.operator is sa.sql.operators.eq
            and isinstance(clause.left, sa.Column)
            and clause.left.name == column_name
            and isinstance(clause.right, sa.sql.elements.BindParameter)
            and isinstance(clause.right.value, int)
        ):
            return clause.right.value
    return None


def _statement_people(state, name):
    """The people a bulk statement on watched table `name` concerns, or None for "cannot tell"."""
    statement = state.statement
    if name in EVERYONE_TABLES:
        return None
    column = PERSON_COLUMNS.get(name) or CONVERSATION_TABLES[name]
    if state.is_insert:
        # The rows given to execute(), else the one row of the statement's own `.values(...)`.
        rows = (
            state.parameters if isinstance(state.parameters, list) else [state.parameters or statement.compile().params]
        )
        values = [row.get(column) for row in rows if isinstance(row, dict)]
        if not values or any(value is None for value in values):
            return None
    else:
        value = _equal_to(getattr(statement, "whereclause", None), column)
        if value is None:
            return None
        values = [value]
    if name in PERSON_COLUMNS:
        return values
    people = []
    for conversation_id in values:
        found = _conversation_people(state.session, conversation_id)
        if found is None:
            return None
        people.extend(found)
    return people


def _do_orm_execute(state):
    statement = state.statement
    if isinstance(statement, sa.sql.elements.TextClause):
        named = state.execution_options.get(PEOPLE_OPTION)
        if named is not None:
            changed(named, state.session)
        elif not statement.text.lstrip().lower().startswith(("select", "with", "show", "explain")):
            changed_for_everyone(state.session)
        return
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    name = getattr(getattr(statement, "table", None), "name", None)
    if name not in WATCHED_TABLES:
        return
    people = _statement_people(state, name)
    if people is None:
        changed_for_everyone(state.session)
    else:
        changed(people, state.session)


def init_app(app):
    from flask_sqlalchemy.session import Session

    if not sa.event.contains(Session, "after_flush", _after_flush):
        sa.event.listen(Session, "after_flush", _after_flush)
        sa.event.listen(Session, "do_orm_execute", _do_orm_execute)
        sa.event.listen(Session, "before_commit", _bump_before_commit)
        sa.event.listen(Session, "after_soft_rollback", _forget)
