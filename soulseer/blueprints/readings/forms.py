"""The client's review form; the service checks the rules (services/readings/reviews.py)."""

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, TextAreaField

# One to five, in the order the stars are drawn, so the arrow keys move the way the stars read.
STAR_CHOICES = [SelectChoice(str(n), f"{n} star{'' if n == 1 else 's'}") for n in range(1, 6)]


class ReviewForm(FlaskForm):
    # The service checks the range and length (so the rules live in one place); the form only
    # carries the values and the CSRF token.
    stars = RadioField("Your rating", choices=STAR_CHOICES, validate_choice=False)
    body = TextAreaField("Your review (optional)")
