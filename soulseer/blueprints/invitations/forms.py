from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length

from soulseer.blueprints.auth.forms import ConsentFields
from soulseer.services.accounts.passwords import MAX_LENGTH, MIN_LENGTH


class AcceptInvitationForm(ConsentFields, FlaskForm):
    password = PasswordField(
        "Choose a password",
        validators=[
            InputRequired("Enter a password."),
            Length(min=MIN_LENGTH, max=MAX_LENGTH, message=f"Use at least {MIN_LENGTH} characters."),
        ],
        description=f"At least {MIN_LENGTH} characters. A few unrelated words work well.",
    )
    confirm = PasswordField("Repeat the password", validators=[EqualTo("password", "The passwords differ.")])
    reader_agreement = BooleanField(
        "I accept the Reader agreement",
        validators=[DataRequired("Please accept the Reader agreement to continue.")],
    )
