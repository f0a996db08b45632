"""Where the money is, read from the ledger: for tests that check amounts to the cent."""

import contextlib

import sqlalchemy as sa

from soulseer.ledger import accounts, reads


def wallet_of(user):
    return reads.balance(accounts.wallet_spec(user))


def earnings_of(user):
    return reads.balance(accounts.earnings_spec(user))


def revenue():
    return reads.account_balance(accounts.platform_revenue())


@contextlib.contextmanager
def statements_after_the_sale(monkeypatch):
    """Yields a list that gets, once the block ends, the SQL statements the session ran after the
    last posting (ledger_post_batch locks the accounts it moves until the commit: a sale that
    waits on a hot account, a reader's earnings, should be the last thing before the commit)."""
    from soulseer.extensions import db
    from soulseer.ledger import posting

    log, after = [], []
    post_many = posting.post_many

    def recorded(postings):
        outcome = post_many(postings)
        log.append(posting)  # the posting's own round trip runs on the raw cursor, not through these events
        return outcome

    def statement(conn, cursor, text, *args):
        log.append(text)

    monkeypatch.setattr(posting, "post_many", recorded)
    sa.event.listen(db.engine, "before_cursor_execute", statement)
    try:
        yield after
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", statement)
    last = max((i for i, entry in enumerate(log) if entry is posting), default=None)
    assert last is not None, "nothing was posted"
    after.extend(log[last + 1 :])
