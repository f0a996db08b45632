"""Loading the browse page in tests: until it comes from the shared cache, or once more."""

import re

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
