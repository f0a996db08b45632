from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, Optional

from soulseer.services.accounts.passwords import MAX_LENGTH, MIN_LENGTH
from soulseer.services.bookings import zones


class ProfileForm(FlaskForm):
    display_name = StringField(
        "Display name", validators=[DataRequired("Enter the name others will see."), Length(min=2, max=40)]
    )


class TimeZoneForm(FlaskForm):
    """The client's own time zone (account settings and the booking page); the service checks it
    (services/bookings/zones.py): a name from the list, or the field's error."""

    time_zone = SelectField("Your time zone", validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone.choices = [("", "Choose your time zone")] + [(name, name) for name in zones.known()]


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[Optional(), Length(max=MAX_LENGTH)])
    new_password = PasswordField(
        "New password",
        validators=[
            InputRequired("Enter a new password."),
            Length(min=MIN_LENGTH, max=MAX_LENGTH, message=f"Use at least {MIN_LENGTH} characters."),
        ],
    )
    confirm = PasswordField("Repeat the new password", validators=[EqualTo("new_password", "The passwords differ.")])


class EmailChangeForm(FlaskForm):
    new_email = EmailField(
        "New email", validators=[DataRequired("Enter the new address."), Email("Enter a valid email address.")]
    )
    password = PasswordField("Your password", validators=[Optional(), Length(max=MAX_LENGTH)])


class ConfirmWithPasswordForm(FlaskForm):
    password = PasswordField("Your password", validators=[Optional(), Length(max=MAX_LENGTH)])
    confirm_text = StringField("Type DELETE to confirm", validators=[Optional()])
