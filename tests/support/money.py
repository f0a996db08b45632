"""Where the money is, read from the ledger: for tests that check amounts to the cent."""

import contextlib

from soulseer.ledger import accounts, reads


def wallet_of(user):
    return reads.balance(accounts.wallet_spec(user))


def earnings_of(user):
    return reads.balance(accounts.earnings_spec(user))


def revenue():
    return reads.account_balance(accounts.platform_revenue())


@contextlib.contextmanager
def statements_after_the_sale():
    """Yields a list that gets, once the block ends, the SQL statements sent to PostgreSQL after the
    block's last posting (ledger_post_batch locks the accounts it moves until the commit: a sale
    that waits on a hot account, a reader's earnings, should be the last thing before the commit).
    Recorded at the driver, psycopg's cursor, where the posting's own round trip and SQLAlchemy's
    statements both pass."""
    from tests.support.browse import sent_to_postgresql

    after = []
    with sent_to_postgresql() as sent:
        yield after
    last = max((i for i, text in enumerate(sent) if "ledger_post_batch(" in text), default=None)
    assert last is not None, "nothing was posted"
    after.extend(sent[last + 1 :])
