"""Loading the browse page in tests: until it comes from the shared cache, or once more; and what a
request cost: the statements it sent, the views it reached."""

import contextlib
import re

import psycopg
import pytest
import sqlalchemy as sa

from soulseer.extensions import db as database

HX = {"HX-Request": "true"}


def names(html):
    return re.findall(r'class="reader-card-name" id="reader-card-\d+-name"><a href="[^"]+">([^<]+)</a>', html)


def card(html, name):
    """The HTML of the card whose reader is `name`."""
    for found in re.findall(r'<article class="reader-card.*?</article>', html, re.S):
        if f">{name}</a>" in found:
            return found
    return None


class Statements:
    """The SQL statements run while inside the block."""

    def __init__(self):
        self.seen = []

    def __enter__(self):
        sa.event.listen(database.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        sa.event.remove(database.engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, *args):
        self.seen.append(statement)

    @property
    def reader_queries(self):
        return [s for s in self.seen if "reader_profiles" in s or "specialties" in s]


@contextlib.contextmanager
def sent_to_postgresql():
    """The statements sent while inside the block, recorded at the driver (psycopg's cursor), where
    every engine's statements pass (the application's and the quick layers' own:
    extensions.get_quick_engine), less the pools' pre-pings."""
    sent = []
    execute = psycopg.Cursor.execute

    def recorded(cursor, query, *args, **kwargs):
        if str(query).strip().lower() not in ("select 1", ";", ""):
            sent.append(str(query))
        return execute(cursor, query, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(psycopg.Cursor, "execute", recorded)
        yield sent


def quick_pool_connected(app):
    """The quick layers' pool with one connection made, as in a process that has served before: an
    engine's first connection reads the server's settings (its version, schema, isolation...) once,
    which is no request's statement (`sent_to_postgresql` would count it in whichever test comes
    first)."""
    from soulseer.extensions import get_quick_engine

    with app.app_context():
        get_quick_engine().connect().close()


@contextlib.contextmanager
def view_calls(app, endpoint):
    """The calls (their arguments) of the view `endpoint` while inside the block: none when the
    request was answered before Flask."""
    calls = []
    view = app.view_functions[endpoint]
    app.view_functions[endpoint] = lambda **kwargs: calls.append(kwargs) or view(**kwargs)
    try:
        yield calls
    finally:
        app.view_functions[endpoint] = view


def cached(client, path="/readers", headers=None):
    """Load `path` until it comes from the cache (the second load must), and return its HTML."""
    client.get(path, headers=headers)
    with Statements() as statements:
        response = client.get(path, headers=headers)
    assert response.status_code == 200
    assert statements.reader_queries == [], "the second load should not query the readers"
    return response.get_data(as_text=True)


def fresh(client, path="/readers", headers=None):
    response = client.get(path, headers=headers)
    assert response.status_code == 200
    return response.get_data(as_text=True)
