"""Money as text and back: integer cents in, integer cents out, never through floats."""

import re

_AMOUNT = re.compile(r"^\s*([+-])?\s*\$?\s*([0-9]{1,7})(?:\.([0-9]{1,2}))?\s*$")


class AmountError(ValueError):
    pass


def parse_cents(text, allow_negative=False):
    """'12', '12.5', '$12.50', '-3.05' -> cents. Anything else raises AmountError."""
    match = _AMOUNT.match(text or "")
    if not match:
        raise AmountError("Enter an amount in dollars, like 25 or 12.50.")
    sign, whole, part = match.groups()
    cents = int(whole) * 100 + int((part or "0").ljust(2, "0"))
    if sign == "-":
        if not allow_negative:
            raise AmountError("Enter a positive amount.")
        cents = -cents
    return cents


def price_between(text, low, high, refuse, typed, bounds):
    """A price a person typed (a rate, an entry, a product's or a gift's price), in cents from `low`
    to `high` inclusive. Each area says what is wrong in its own words and raises its own refusal:
    `refuse(message)` builds it; `typed` is the message when the text is not an amount, `bounds`
    when it is out of range (either may name {low} and {high}, written as money)."""
    limits = {"low": format_cents(low), "high": format_cents(high)}
    try:
        cents = parse_cents(text)
    except AmountError:
        raise refuse(typed.format(**limits)) from None
    if not low <= cents <= high:
        raise refuse(bounds.format(**limits))
    return cents


def format_cents(cents, symbol="$"):
    """1250 -> $12.50, -5 -> -$0.05, 123456 -> $1,234.56."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(int(cents)), 100)
    return f"{sign}{symbol}{whole:,}.{part:02d}"


def plain_dollars(cents):
    """For CSV: 1250 -> 12.50, -5 -> -0.05 (no symbol, no thousands separator)."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(int(cents)), 100)
    return f"{sign}{whole}.{part:02d}"
