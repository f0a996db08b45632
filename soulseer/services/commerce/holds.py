"""Money that waits: held from the client's wallet, later settled (charged, with the split) or
released back. Reading minutes, bookings and premium stream entry all wait this way.

A hold is an account of its own per thing (`hold:<type>:<id>`), so what is held for a reading or
a booking is visible in the ledger and `flask ledger verify` can check that nothing stays held
once that thing is over.
"""

from dataclasses import dataclass

from soulseer.ledger import InsufficientFunds, WalletFrozen, accounts, operations, post_one, reads
from soulseer.services.commerce.sales import NotEnoughFunds, SpendingFrozen, _user_of
from soulseer.services.commerce.share import PLATFORM, share_for


def hold_posting(client, reference, amount, key, description):
    """The posting that holds `amount` from the client's wallet for `reference` (type, id); for
    the ledger's post_many() (the billing tick holds a minute for a whole batch in one round trip).
    `client` is a User or a user id."""
    return operations.reservation(client, reference, amount, key, description)


def hold(client, reference, amount, key, description):
    """Hold `amount` now. Raises NotEnoughFunds (402: offer a top-up) or SpendingFrozen (403), as
    charge() does, with nothing written."""
    try:
        return post_one(hold_posting(client, reference, amount, key, description))
    except InsufficientFunds:
        raise NotEnoughFunds() from None
    except WalletFrozen:
        raise SpendingFrozen() from None


def held(client, reference):
    """Cents held for `reference` right now."""
    return reads.balance(accounts.hold_spec(*reference, client))


@dataclass(frozen=True)
class Settlement:
    transaction_id: int | None  # None: nothing moved (nothing held and nothing charged)
    charged: int
    to_reader: int
    to_platform: int


def settle(client, reference, amount, seller, key, description, share_bps=None, release_rest=True):
    """Charge `amount` from what is held for `reference`: the seller (a reader, or PLATFORM) gets
    floor(amount × share), the platform the rest; what is left of the hold goes back to the client
    (unless `release_rest` is False), all in one posting. `share_bps` is the share fixed when the
    client agreed to the price (a reading's, at its start); by default the seller's share now."""
    if share_bps is None:
        share_bps = share_for(seller)
    reader = None if seller is PLATFORM else _user_of(seller)
    posted = operations.settle(client, reference, amount, reader, share_bps, key, description, release_rest)
    to_reader, to_platform = operations.split(amount, share_bps if reader is not None else 0)
    return Settlement(posted.transaction_id if posted else None, amount, to_reader, to_platform)


def settle_posting(client, reference, amount, seller, key, description, share_bps, held):
    """settle()'s posting (or None: nothing moves) for a hold of `held` cents, with the Settlement
    it will make (its transaction id None); for the ledger's post_many() (the bookings' tick
    settles a batch of no-shows in one round trip). `seller` is a reader (a User or an id)."""
    reader = None if seller is PLATFORM else _user_of(seller)
    posting = operations.settlement(client, reference, amount, reader, share_bps, key, description, held)
    to_reader, to_platform = operations.split(amount, share_bps if reader is not None else 0)
    return posting, Settlement(None, amount, to_reader, to_platform)


def release(client, reference, amount, key, description):
    """Give `amount` of what is held for `reference` back to the client's wallet."""
    return operations.release(client, reference, amount, key, description)


def release_posting(client, reference, amount, key, description):
    """release()'s posting, for the ledger's post_many()."""
    return operations.releasing(client, reference, amount, key, description)


def held_for(holds):
    """{reference: cents held now} for [(client, reference)], in one query."""
    specs = {reference: accounts.hold_spec(*reference, client) for client, reference in holds}
    balances = reads.balances(specs.values())
    return {reference: balances[spec[0]] for reference, spec in specs.items()}
