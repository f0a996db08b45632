"""Emptying the database between tests, fast.

TRUNCATE of the ~50 tables took 340-390 ms a time here (it gives every table and index new files),
and the suite ran it after each of its 1,500 tests: about half of the workers' time. DELETE of what a
test wrote takes about 13 ms for the lot. It keeps TRUNCATE's guarantees that matter to a test:
- every table but the reference data is empty and its ids start again at 1 (the sequences the
  tables own are reset, as RESTART IDENTITY does);
- it waits, like TRUNCATE, for a live server's transactions on those tables to end (an exclusive
  lock on each), so nothing the server was writing survives into the next test;
- triggers are not fired (session_replication_role = replica: the guards that refuse to delete a
  ledger line or an unlocked paid reply, and the foreign keys' own triggers), as TRUNCATE fires none;
- rows come back in the order they were written when a query gives none: autovacuum is off for
  the tables, so the space of deleted rows is never handed out again and new rows go at the end,
  as in TRUNCATE's fresh files. (A test that cares about order should say ORDER BY; with autovacuum
  free to reuse space, some that did not failed now and then.)
"""

import sqlalchemy as sa

# Reference data the migrations insert; kept between tests (a test that edits it restores it).
REFERENCE_TABLES = {"specialties", "community_categories", "gifts"}

OWNED_SEQUENCES = sa.text(
    """
    SELECT DISTINCT s.oid::regclass::text
    FROM pg_class s
    JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid
        AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
    JOIN pg_class t ON t.oid = d.refobjid
    WHERE s.relkind = 'S' AND t.relname = ANY(:tables)
    """
)


# The tables still under autovacuum (new ones come with every migration test's upgrade).
VACUUMED_TABLES = sa.text(
    """
    SELECT c.oid::regclass::text FROM pg_class c
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
        AND NOT coalesce('autovacuum_enabled=false' = ANY(c.reloptions), false)
    """
)


def data_tables():
    from soulseer.extensions import db

    return [t.name for t in db.metadata.sorted_tables if t.name not in REFERENCE_TABLES]


def empty_tables(conn, tables=None):
    """Delete every row of `tables` (all but the reference data when None) and restart their ids,
    in the transaction of `conn`."""
    tables = list(tables) if tables is not None else data_tables()
    if not tables:
        return
    quoted = ", ".join(f'"{name}"' for name in tables)
    conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
    conn.execute(sa.text(f"LOCK TABLE {quoted} IN ACCESS EXCLUSIVE MODE"))
    # One round trip; the names are the models' own tables, never input.
    conn.execute(sa.text("; ".join(f'DELETE FROM "{name}"' for name in tables)))  # noqa: S608
    for table in conn.execute(VACUUMED_TABLES).scalars().all():
        conn.execute(sa.text(f"ALTER TABLE {table} SET (autovacuum_enabled = false)"))
    sequences = conn.execute(OWNED_SEQUENCES, {"tables": tables}).scalars().all()
    if sequences:
        conn.execute(sa.text("SELECT " + ", ".join(f"setval('{seq}', 1, false)" for seq in sequences)))


def empty_all_tables(engine, attempts=3):
    """empty_tables in a transaction of its own, again when PostgreSQL ends it as a deadlock's victim.
    A browser test's live processes (the page's last heartbeat, the worker's tick) may still be
    reading when a test ends: their statement takes its tables' share locks in its own order while
    LOCK TABLE takes ours one by one, and PostgreSQL breaks the cycle by aborting one side. When it
    aborts ours, nothing was deleted (the transaction rolled back) and the next attempt, once the
    reader has finished, empties everything."""
    import psycopg

    for attempt in range(1, attempts + 1):
        try:
            with engine.begin() as conn:
                empty_tables(conn)
            return
        except sa.exc.OperationalError as error:
            if not isinstance(error.orig, psycopg.errors.DeadlockDetected) or attempt == attempts:
                raise
