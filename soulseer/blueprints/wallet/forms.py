"""The top-up form: a preset amount, or another amount typed in dollars."""

import re
from decimal import Decimal

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.validators import Length

from soulseer.templating import format_cents

AMOUNT_TEXT = re.compile(r"-?(\d+(\.\d*)?|\.\d+)")


class AmountNotUnderstood(ValueError):
    pass


def dollars_to_cents(text):
    """'25', '$25', '12.5', '1,000.00', '-5' -> integer cents. Raises AmountNotUnderstood."""
    cleaned = text.strip().replace("$", "", 1).replace(",", "").replace(" ", "")
    if not AMOUNT_TEXT.fullmatch(cleaned):
        raise AmountNotUnderstood(text)
    cents = Decimal(cleaned) * 100
    if cents != cents.to_integral_value():
        raise AmountNotUnderstood(text)  # more than two decimals: not an amount of money
    return int(cents)


class TopupForm(FlaskForm):
    preset = RadioField("Amount", validate_choice=False)
    custom_amount = StringField(
        "Other amount",
        validators=[Length(max=20, message="Enter an amount in dollars, like 20 or 12.50.")],
        render_kw={"inputmode": "decimal", "placeholder": "$5 to $1,000"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        presets = current_app.config["TOPUP_PRESETS_CENTS"]
        self.preset.choices = [(str(cents), format_cents(cents).removesuffix(".00")) for cents in presets]
        low, high = current_app.config["TOPUP_MIN_CENTS"], current_app.config["TOPUP_MAX_CENTS"]
        self.custom_amount.description = (
            f"Any amount from {format_cents(low)} to {format_cents(high)}. When you type one, it is used instead of "
            "the amount picked above."
        )
        self.amount_cents = None

    def validate(self, extra_validators=None):
        """Turn the choice into cents; the range itself is the service's rule (services/payments/topups.py)."""
        if not super().validate(extra_validators):
            return False
        typed = (self.custom_amount.data or "").strip()
        if typed:
            try:
                self.amount_cents = dollars_to_cents(typed)
            except AmountNotUnderstood:
                self.custom_amount.errors.append("Enter an amount in dollars, like 20 or 12.50.")
                return False
            return True
        picked = self.preset.data or ""
        if picked not in {value for value, _ in self.preset.choices}:
            self.preset.errors.append("Choose an amount, or type another amount.")
            return False
        self.amount_cents = int(picked)
        return True
