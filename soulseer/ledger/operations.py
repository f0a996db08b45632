"""The money movements the product needs, each one balanced posting (see posting.post).

Idempotency keys name the cause (e.g. "topup:cs_123", "reading:77:minute:3"), so a retried job,
a replayed webhook or a double click posts once.
"""

from soulseer.extensions import db
from soulseer.ledger import accounts, reads
from soulseer.ledger.models import TransactionKind
from soulseer.ledger.posting import Posting, post, post_one


def split(amount, share_bps):
    """The reader gets floor(amount × share); the platform gets the rest. They always add up."""
    if amount < 0 or not 0 <= share_bps <= 10_000:
        raise ValueError("split needs a non-negative amount and a share between 0 and 100%")
    reader = amount * share_bps // 10_000
    return reader, amount - reader


def credit_topup(user, amount, key, reference, description="Wallet top-up"):
    return post(
        TransactionKind.TOPUP,
        key,
        [(accounts.STRIPE_CLEARING, -amount), (accounts.wallet_spec(user), amount)],
        description=description,
        reference=reference,
    )


def debit_topup_refund(user, amount, key, reference, description="Top-up refunded to your card"):
    return post(
        TransactionKind.TOPUP_REFUND,
        key,
        [(accounts.wallet_spec(user), -amount), (accounts.STRIPE_CLEARING, amount)],
        description=description,
        reference=reference,
    )


def debit_dispute(user, amount, key, reference, description="Disputed top-up taken back"):
    """Take disputed money back and freeze spending until an admin reviews the dispute."""
    wallet, clearing = accounts.resolve(accounts.wallet_spec(user), accounts.STRIPE_CLEARING)
    posted = post(
        TransactionKind.DISPUTE,
        key,
        [(wallet, -amount), (clearing, amount)],
        description=description,
        reference=reference,
    )
    freeze(user)
    return posted


def credit_dispute_reversal(user, amount, key, reference, description="Disputed top-up returned"):
    """Give back money a dispute took, when the dispute is closed in our favour (Stripe returns it).
    The wallet stays frozen: lifting the freeze is an admin's decision (lift_freeze)."""
    return post(
        TransactionKind.DISPUTE_REVERSAL,
        key,
        [(accounts.STRIPE_CLEARING, -amount), (accounts.wallet_spec(user), amount)],
        description=description,
        reference=reference,
    )


def freeze(user):
    """Stop the client's spending until an admin's review (lift_freeze). A dispute freezes even
    when it has nothing left to take back (the top-up was refunded already)."""
    wallet = accounts.wallet(user)
    wallet.frozen = True
    db.session.flush()
    _shown_frozen(wallet)


def lift_freeze(user):
    """An admin's review is done: the wallet may spend again. Locks the wallet row (a posting or
    another admin at the same moment waits). Returns False when it was not frozen (nothing done)."""
    wallet = accounts.find_wallet(user)
    if wallet is None:
        return False
    db.session.refresh(wallet, with_for_update=True)
    if not wallet.frozen:
        return False
    wallet.frozen = False
    db.session.flush()
    _shown_frozen(wallet)
    return True


def _shown_frozen(wallet):
    """Her wallet page shows the freeze: her header version moves with the commit, as for a
    posting (posting._wallets_moved; services/core/header_versions.py)."""
    from soulseer.services.core import header_versions

    header_versions.changed([wallet.owner_id], db.session())


def reservation(client, reference, amount, key, description):
    """The posting that moves `amount` from the client's wallet into the hold for `reference`
    (type, id); `client` is a User or a user id. For post_many(): the billing tick reserves a
    minute for a whole batch of readings in one round trip."""
    wallet, hold = accounts.wallet_spec(client), accounts.hold_spec(*reference, client)
    return Posting(TransactionKind.HOLD_RESERVE, key, [(wallet, -amount), (hold, amount)], description, reference)


def reserve(client, reference, amount, key, description):
    """Reserve `amount` for `reference` now (see reservation())."""
    return post_one(reservation(client, reference, amount, key, description))


def settle(client, reference, charge, reader, share_bps, key, description, release_rest=True):
    """Charge `charge` from the hold, split between the reader and the platform; return the rest of
    the hold to the client's wallet (all in one posting). With no reader, the platform gets it all.
    Returns None when there is nothing to move."""
    held = reads.balance(accounts.hold_spec(*reference, client))
    posting = settlement(client, reference, charge, reader, share_bps, key, description, held, release_rest)
    return post_one(posting) if posting is not None else None


def settlement(client, reference, charge, reader, share_bps, key, description, held, release_rest=True):
    """The posting of settle() for a hold that has `held` cents now, or None when nothing moves; for
    post_many() (the bookings' tick settles a batch of no-shows in one round trip)."""
    hold, wallet, revenue = (
        accounts.hold_spec(*reference, client),
        accounts.wallet_spec(client),
        accounts.PLATFORM_REVENUE,
    )
    earnings = [accounts.earnings_spec(reader)] if reader is not None else []
    if charge > held:
        raise ValueError(f"cannot charge {charge} from a hold of {held}")
    rest = held - charge
    if charge == 0 and (rest == 0 or not release_rest):
        return None  # nothing was held and nothing is charged: no money moves
    reader_part, platform_part = split(charge, share_bps if reader is not None else 0)
    legs = [(hold, -charge), (revenue, platform_part)]
    if earnings:
        legs.append((earnings[0], reader_part))
    if release_rest and rest:
        legs += [(hold, -rest), (wallet, rest)]
    return Posting(TransactionKind.HOLD_SETTLE, key, legs, description, reference)


def release(client, reference, amount, key, description):
    return post_one(releasing(client, reference, amount, key, description))


def releasing(client, reference, amount, key, description):
    """The posting of release(), for post_many()."""
    hold, wallet = accounts.hold_spec(*reference, client), accounts.wallet_spec(client)
    return Posting(TransactionKind.HOLD_RELEASE, key, [(hold, -amount), (wallet, amount)], description, reference)


def _sale_legs(payer, amount, reader, share_bps):
    """`payer` pays `amount`: the reader gets floor(amount × share), the platform the rest."""
    reader_part, platform_part = split(amount, share_bps if reader is not None else 0)
    legs = [(payer, -amount), (accounts.PLATFORM_REVENUE, platform_part)]
    if reader is not None:
        legs.append((accounts.earnings_spec(reader), reader_part))
    return legs


def purchase(client, amount, reader, share_bps, key, reference, description):
    """Pay straight from the wallet (gift, paid reply, shop item), split with the reader if any."""
    legs = _sale_legs(accounts.wallet_spec(client), amount, reader, share_bps)
    return post(TransactionKind.PURCHASE, key, legs, description=description, reference=reference)


def card_purchase(amount, reader, share_bps, key, reference, description):
    """A sale paid by card (a shop order through Stripe Checkout): the money comes in from Stripe
    (stripe clearing −, as a top-up's does) and pays the sale at once, split with the reader if
    any. It never passes through a wallet, so a frozen or empty wallet plays no part."""
    legs = _sale_legs(accounts.STRIPE_CLEARING, amount, reader, share_bps)
    return post(TransactionKind.PURCHASE, key, legs, description=description, reference=reference)


def adjust_wallet(user, amount, key, actor, reason):
    """An admin's correction of a wallet balance (positive or negative); never overdraws."""
    return post(
        TransactionKind.ADJUSTMENT,
        key,
        [(accounts.wallet_spec(user), amount), (accounts.ADJUSTMENTS, -amount)],
        description=f"Adjustment: {reason}",
        reference=("user", user.id),
        actor=actor,
    )


def reader_part_of_refund(amount, paid, reader_paid, already_refunded=0):
    """What a refund of `amount` takes back from the reader, counted over all the sale's refunds."""
    return (already_refunded + amount) * reader_paid // paid - already_refunded * reader_paid // paid


def refund(client, reader, amount, paid, reader_paid, key, reference, actor, reason, already_refunded=0,
           to_card=False):  # fmt: skip
    """Give `amount` back to the client's wallet from a sale of `paid` cents of which `reader_paid`
    went to the reader, taken back proportionally. The reader's part is counted over all the sale's
    refunds, floor((already + amount) × reader_paid / paid) minus what earlier refunds took, so
    partial refunds that add up to the whole sale take back exactly what the reader got; the
    platform gives the rest. The caller makes sure the total refunded never exceeds what was paid
    (commerce.refund does, under lock). `to_card`: the sale was paid by card and Stripe refunded
    the card, so the money leaves through stripe clearing instead of going to the wallet."""
    if not 0 < amount <= paid - already_refunded:
        raise ValueError("a refund is more than zero and at most what is left of what was paid")
    from_reader = reader_part_of_refund(amount, paid, reader_paid, already_refunded)
    back_to = accounts.STRIPE_CLEARING if to_card else accounts.wallet_spec(client)
    earnings = [accounts.earnings_spec(reader)] if reader is not None else []
    legs = [(back_to, amount), (accounts.PLATFORM_REVENUE, -(amount - from_reader))]
    if earnings:
        legs.append((earnings[0], -from_reader))
    return post(TransactionKind.REFUND, key, legs, description=f"Refund: {reason}", reference=reference, actor=actor)


# Payouts (docs/payouts.md): a reader's earnings leave through "in transit" to "paid".


def start_payout(reader, amount, key, reference):
    """Her earnings → in transit, before the Transfer is made. Never takes her earnings below zero."""
    return post_one(start_payout_posting(reader, amount, key, reference))


def start_payout_posting(reader, amount, key, reference):
    """start_payout as a Posting, for a batch of payouts posted in one round trip (post_many)."""
    return Posting(
        TransactionKind.PAYOUT,
        key,
        [(accounts.earnings_spec(reader), -amount), (accounts.in_transit_spec(reader), amount)],
        "Payout to your Stripe account",
        reference,
    )


def payout_paid(reader, amount, key, reference):
    """Stripe made the Transfer: in transit → paid."""
    return post_one(payout_paid_posting(reader, amount, key, reference))


def payout_paid_posting(reader, amount, key, reference):
    return Posting(
        TransactionKind.PAYOUT_PAID,
        key,
        [(accounts.in_transit_spec(reader), -amount), (accounts.paid_spec(reader), amount)],
        "Payout sent to your Stripe account",
        reference,
    )


def payout_failed(reader, amount, key, reference):
    """Stripe refused the Transfer for good: in transit → back to her earnings."""
    return post_one(payout_failed_posting(reader, amount, key, reference))


def payout_failed_posting(reader, amount, key, reference):
    return Posting(
        TransactionKind.PAYOUT_FAILED,
        key,
        [(accounts.in_transit_spec(reader), -amount), (accounts.earnings_spec(reader), amount)],
        "Payout failed: back in your earnings",
        reference,
    )


def payout_reversed(reader, amount, key, reference, actor=None):
    """A paid payout's Transfer reversed (by an admin at Stripe, or Stripe): paid → her earnings."""
    return post(
        TransactionKind.PAYOUT_REVERSAL,
        key,
        [(accounts.paid_spec(reader), -amount), (accounts.earnings_spec(reader), amount)],
        description="Payout reversed: back in your earnings",
        reference=reference,
        actor=actor,
    )
