"""Money text: parse and format integer cents exactly."""

import pytest

from soulseer.money import AmountError, format_cents, parse_cents, plain_dollars


@pytest.mark.parametrize(
    ("text", "cents"),
    [("25", 2500), ("12.5", 1250), ("12.50", 1250), ("$0.05", 5), (" 1000.00 ", 100000), ("0.1", 10)],
)
def test_parse(text, cents):
    assert parse_cents(text) == cents


@pytest.mark.parametrize("text", ["", "abc", "12.345", "1e3", "12,50", "--5", "NaN", "١٢"])
def test_parse_refuses_what_is_not_an_amount(text):
    with pytest.raises(AmountError):
        parse_cents(text)


def test_negative_only_when_allowed():
    with pytest.raises(AmountError):
        parse_cents("-5")
    assert parse_cents("-5.25", allow_negative=True) == -525


def test_format():
    assert format_cents(0) == "$0.00"
    assert format_cents(123456) == "$1,234.56"
    assert format_cents(-5) == "-$0.05"
    assert plain_dollars(-123456) == "-1234.56"
