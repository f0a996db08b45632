"""Paying now and paying back: a sale from the wallet with its split, and refunds of any sale."""

from dataclasses import dataclass

from soulseer.errors import DomainError
from soulseer.extensions import db
from soulseer.ledger import InsufficientFunds, Posted, WalletFrozen, accounts, operations, reads
from soulseer.money import format_cents
from soulseer.services.commerce.share import PLATFORM, share_for


class NotEnoughFunds(DomainError):
    """The wallet cannot pay: the page offers a top-up."""

    status = 402

    def __init__(self, message="Your balance is too low for this. Top up your wallet first.", field=None):
        super().__init__(message, field)


class SpendingFrozen(DomainError):
    status = 403

    def __init__(self, message="Spending is paused while we review a disputed payment.", field=None):
        super().__init__(message, field)


class RefundRefused(DomainError):
    status = 422


@dataclass(frozen=True)
class Sale:
    transaction_id: int
    created: bool  # False: this key was posted before (a retry), nothing moved now
    amount: int
    to_reader: int
    to_platform: int


@dataclass(frozen=True)
class Quote:
    """What a sale will give each side, worked out before it is posted."""

    seller: object
    amount: int
    share_bps: int
    to_reader: int
    to_platform: int


def quote(seller, amount):
    """The split of a sale of `amount` cents to `seller` (a reader, or PLATFORM), as `charge` will
    post it. A caller that stores the split in a row of its own (a gift) writes that row first and
    passes the quote to `charge`, so that the posting is the last statement before its commit: the
    reader's earnings, which every sale of hers locks, are then held only to the commit."""
    if not isinstance(amount, int) or amount <= 0:
        raise ValueError("a sale is a positive number of cents")
    share_bps = share_for(seller)
    to_reader, to_platform = operations.split(amount, share_bps if seller is not PLATFORM else 0)
    return Quote(seller, amount, share_bps, to_reader, to_platform)


def charge(client, seller, amount, key, reference, description, quoted=None):
    """The client pays `amount` cents now from the wallet for `reference` (type, id); the seller (a
    reader, or PLATFORM) gets floor(amount × share), the platform the rest (`quoted`: that split,
    from `quote`, when the caller needed it first). Raises NotEnoughFunds or SpendingFrozen with
    nothing written."""
    quoted = quoted or quote(seller, amount)
    if quoted.seller is not seller or quoted.amount != amount:
        raise ValueError("the quote is of another sale")
    reader = None if seller is PLATFORM else _user_of(seller)
    try:
        posted = operations.purchase(client, amount, reader, quoted.share_bps, key, reference, description)
    except InsufficientFunds:
        raise NotEnoughFunds() from None
    except WalletFrozen:
        raise SpendingFrozen() from None
    return Sale(posted.transaction_id, posted.created, amount, quoted.to_reader, quoted.to_platform)


def charge_card(seller, amount, key, reference, description):
    """`amount` cents paid by card for `reference` (Stripe said so in a verified event): the seller
    gets floor(amount × share), the platform the rest, as `charge` splits a wallet's money. Nothing
    can refuse it (the money is in); the same key posts once."""
    if not isinstance(amount, int) or amount <= 0:
        raise ValueError("a sale is a positive number of cents")
    share_bps = share_for(seller)
    reader = None if seller is PLATFORM else _user_of(seller)
    posted = operations.card_purchase(amount, reader, share_bps, key, reference, description)
    to_reader, to_platform = operations.split(amount, share_bps if reader is not None else 0)
    return Sale(posted.transaction_id, posted.created, amount, to_reader, to_platform)


def refundable(reference):
    """Cents of the sale `reference` that can still go back to the client."""
    return reads.sale(reference).paid - reads.refunded(reference)


def refund(reference, amount, key, actor, reason):
    """Give `amount` cents of the sale `reference` back to the client who paid, taken back from the
    reader and the platform in proportion to what each got (floor(amount × reader's part / paid)
    from the reader, the rest from the platform). A sale paid by card goes back to the card: called
    when Stripe says it refunded it (the money leaves through stripe clearing, never the wallet).
    Safe to repeat with the same key (the first refund's result comes back, nothing moves twice)
    and under concurrency (the accounts are locked before the "at most what is left" check).
    Raises RefundRefused with nothing written."""
    existing = reads.posted(key)
    if existing is not None:
        return Posted(existing, created=False)
    totals = reads.sale(reference)
    if (totals.client_id is None and not totals.by_card) or totals.paid == 0:
        raise RefundRefused("Nothing was paid for this, so nothing can be refunded.", None)
    specs = [] if totals.by_card else [accounts.wallet_spec(totals.client_id)]
    if totals.reader_id is not None:
        specs.append(accounts.earnings_spec(totals.reader_id))
    if specs:
        accounts.lock(*specs)  # until the commit: a second refund at the same moment waits here
    existing = reads.posted(key)  # the same form, posted while we waited for the lock
    if existing is not None:
        return Posted(existing, created=False)
    already = reads.refunded(reference)
    _check_amount(totals, amount, already)
    try:
        return operations.refund(
            totals.client_id, totals.reader_id, amount, totals.paid, totals.to_reader, key, reference, actor, reason,
            already_refunded=already, to_card=totals.by_card,
        )  # fmt: skip
    except InsufficientFunds:
        raise RefundRefused(READER_PAID_OUT, "amount") from None


READER_PAID_OUT = (
    "The reader's earnings no longer hold their part of this refund (paid out). "
    "Refund less, or adjust the client's wallet from the Ledger page instead."
)


def _check_amount(totals, amount, already):
    remaining = totals.paid - already
    if not isinstance(amount, int) or amount <= 0:
        raise RefundRefused("Enter an amount above zero.", "amount")
    if amount > remaining:
        raise RefundRefused(f"At most {_dollars(remaining)} can still be refunded for this.", "amount")


def check_refund(reference, amount, already):
    """Would a refund of `amount`, after `already` cents refunded or asked for, go through? Raises
    RefundRefused if not. For a card refund, asked of Stripe before the ledger moves on its event:
    refused here rather than after Stripe gave the money back."""
    totals = reads.sale(reference)
    _check_amount(totals, amount, already)
    if totals.reader_id is not None:
        from_reader = operations.reader_part_of_refund(amount, totals.paid, totals.to_reader, already)
        if reads.balance(accounts.earnings_spec(totals.reader_id)) < from_reader:
            raise RefundRefused(READER_PAID_OUT, "amount")


def _user_of(seller):
    from soulseer.models import ReaderProfile, User

    if isinstance(seller, ReaderProfile):
        return db.session.get(User, seller.user_id)
    return seller


def _dollars(cents):
    return format_cents(cents, symbol="")  # "2.76": the form around it says the amount is in dollars


# Sales with a refund on its way that the ledger has not taken yet (an area registers what it has,
# in its init_app: the shop's card refunds asked of Stripe). A reader's earnings from them are held
# from payouts (services/payouts/earnings.py), so the refund still finds her part when it comes.
PENDING_REFUNDS = "commerce.pending_refunds"


def register_pending_refunds(app, name, sales):
    """`sales()` returns [(ledger reference type, select of reference ids)] of the area's sales
    being refunded now."""
    app.extensions.setdefault(PENDING_REFUNDS, {})[name] = sales


def pending_refunds():
    """[(reference type, select of ids)] of every area's sales being refunded now."""
    from flask import current_app

    return [pair for sales in current_app.extensions.get(PENDING_REFUNDS, {}).values() for pair in sales()]
