"""The reader application form (server-side validation; the service checks the rules again)."""

import re

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from soulseer.services.accounts import applications

_PHONE = re.compile(r"^\+?[0-9 ().\-]+$")


class CheckboxesField(SelectMultipleField):
    """A group of checkboxes; an unknown value is an error in plain words."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        values = {str(choice.value) for choice in self.choices}
        if any(value not in values for value in self.data or []):
            raise ValidationError("Choose from the list.")


def _count_between(low, high, message):
    def check(form, field):
        if not low <= len(field.data or []) <= high:
            raise ValidationError(message)

    return check


def _phone(form, field):
    digits = sum(ch.isdigit() for ch in field.data or "")
    if not _PHONE.match(field.data or "") or not 7 <= digits <= 20:
        raise ValidationError("Enter a phone number with its country code, for example +1 555 010 0199.")


class ApplicationForm(FlaskForm):
    legal_name = StringField(
        "Legal name",
        validators=[DataRequired("Enter your legal name."), Length(min=2, max=120)],
        description="As on your ID. Clients see the display name you choose later, never this.",
    )
    email = EmailField(
        "Email",
        validators=[DataRequired("Enter your email."), Email("Enter a valid email address."), Length(max=254)],
        description="We send our answer, and your invitation if approved, to this address.",
    )
    phone = StringField("Phone", validators=[DataRequired("Enter your phone number."), Length(max=40), _phone])
    years_of_practice = IntegerField(
        "Years of practice",
        validators=[
            InputRequired("Enter a number of years (0 if you are starting out)."),
            NumberRange(applications.MIN_YEARS, applications.MAX_YEARS, "Enter a number from 0 to 80."),
        ],
    )
    specialties = CheckboxesField(
        "Specialties",
        validators=[
            _count_between(
                applications.MIN_SPECIALTIES, applications.MAX_SPECIALTIES, "Choose between 1 and 10 specialties."
            )
        ],
        description="Choose 1 to 10.",
    )
    modes = CheckboxesField(
        "Modes you offer",
        choices=[SelectChoice(code, label) for code, label in applications.MODES],
        validators=[_count_between(1, len(applications.MODES), "Choose at least one of chat, voice or video.")],
    )
    bio = TextAreaField(
        "About you",
        validators=[
            DataRequired("Tell us about yourself and your practice."),
            Length(applications.BIO_MIN, applications.BIO_MAX, "Write between 50 and 2000 characters."),
        ],
        description="50 to 2000 characters: your practice, your tools, how you read.",
    )
    why_soulseer = TextAreaField(
        "Why SoulSeer?",
        validators=[
            DataRequired("Tell us why you want to read on SoulSeer."),
            Length(max=applications.WHY_MAX, message="Keep it under 2000 characters."),
        ],
    )
    links = TextAreaField(
        "Links (optional)",
        validators=[Optional(), Length(max=applications.LINKS_MAX, message="Keep the links under 1000 characters.")],
        description="Your website, social profiles or reviews elsewhere, one per line.",
    )
    agreement = BooleanField(
        "I have read and accept the Reader agreement",
        validators=[DataRequired("Please accept the Reader agreement to apply.")],
    )
