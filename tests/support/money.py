"""Where the money is, read from the ledger: for tests that check amounts to the cent."""

from soulseer.ledger import accounts, reads


def wallet_of(user):
    return reads.balance(accounts.wallet_spec(user))


def earnings_of(user):
    return reads.balance(accounts.earnings_spec(user))


def revenue():
    return reads.account_balance(accounts.platform_revenue())
