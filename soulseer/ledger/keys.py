"""Idempotency keys: one function per kind of posting, the only place their shape is written.

A key names the cause of a money movement (the Stripe object, the reading and its minute, the
admin's form), so a retried job, a replayed webhook or a double click posts once. Changing a
key's shape would let an old cause post again: never change one, add a new kind instead.
"""


def topup(checkout_session_id):
    return f"topup:{checkout_session_id}"


def topup_refund(charge_id, refunded_total_cents):
    """Stripe's `amount_refunded` is cumulative: each total is debited once."""
    return f"topup-refund:{charge_id}:{refunded_total_cents}"


def dispute(dispute_id):
    return f"dispute:{dispute_id}"


def dispute_won(dispute_id):
    return f"dispute-won:{dispute_id}"


def adjustment(request_key):
    """An admin's wallet adjustment; `request_key` comes from the form, so a resubmit posts once."""
    return f"adjustment:{request_key}"


def reading_minute(reading_id, minute):
    return f"reading:{reading_id}:minute:{minute}"


def reading_settlement(reading_id):
    return f"reading:{reading_id}:settle"


def refund(reference, request_key):
    """A refund of the sale `reference` (type, id), from the admin's form `request_key`."""
    reference_type, reference_id = reference
    return f"{reference_type}:{reference_id}:refund:{request_key}"


def demo_credit(email):
    return f"demo:topup:{email}"


def unlock(message_id):
    """A client unlocking a paid reply: one debit, however many clicks, tabs or retries."""
    return f"unlock:{message_id}"


def booking_hold(booking_id):
    """The price of a booked reading, held from the client's wallet when it is booked."""
    return f"booking:{booking_id}:hold"


def booking_settlement(booking_id):
    """The one ending of a booking's hold: settled (all or part, with the split) or released."""
    return f"booking:{booking_id}:settle"


def gift(client_key):
    """A gift sent in a live stream, by the id the sender's page gave it: a double tap or a retry
    posts once."""
    return f"gift:{client_key}"


def order_payment(order_id):
    """A shop order paid from the wallet: one sale however often the buy form is sent."""
    return f"order:{order_id}:pay"


def order_card_refund(charge_id, refunded_total_cents):
    """A card-paid shop order refunded at Stripe: `amount_refunded` is cumulative, so each total of
    the charge is taken back once (as a top-up's refunds are)."""
    return f"order-card-refund:{charge_id}:{refunded_total_cents}"


def ticket_hold(stream_id, user_id):
    """A viewer's entry to a premium stream, held: one per viewer per stream (L-5)."""
    return f"ticket:{stream_id}:{user_id}"


def ticket_end(ticket_id):
    """The one ending of a ticket's hold: settled to the reader and the platform, or released."""
    return f"ticket:{ticket_id}:end"


def payout(payout_id, step):
    """A payout's postings: "start" (earnings → in transit), then "paid" or "failed"."""
    if step not in ("start", "paid", "failed"):
        raise ValueError(f"unknown payout step {step!r}")
    return f"payout:{payout_id}:{step}"


def transfer_reversal(reversal_id):
    """A Stripe transfer reversal (trr_…) of a payout: back to the reader's earnings once."""
    return f"transfer-reversal:{reversal_id}"
