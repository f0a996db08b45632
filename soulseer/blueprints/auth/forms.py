"""Sign-up, sign-in and password forms (Flask-WTF: CSRF and server-side validation)."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length

from soulseer.services.accounts.passwords import MAX_LENGTH, MIN_LENGTH

_password = [InputRequired("Enter a password."), Length(max=MAX_LENGTH)]


class ConsentFields:
    adult = BooleanField("I am 18 or over", validators=[DataRequired("You must be 18 or over to use SoulSeer.")])
    terms = BooleanField("I accept the Terms", validators=[DataRequired("Please accept the Terms to continue.")])


class SignUpForm(ConsentFields, FlaskForm):
    display_name = StringField(
        "Display name",
        validators=[DataRequired("Enter the name readers will see."), Length(min=2, max=40)],
        description="Readers see only this name, never your email.",
    )
    email = EmailField("Email", validators=[DataRequired("Enter your email."), Email("Enter a valid email address.")])
    password = PasswordField(
        "Password",
        validators=[*_password, Length(min=MIN_LENGTH, message=f"Use at least {MIN_LENGTH} characters.")],
        description=f"At least {MIN_LENGTH} characters. A few unrelated words work well.",
    )


class ConsentForm(ConsentFields, FlaskForm):
    # Shown (and required by the service) only for readers who have not accepted it yet.
    reader_agreement = BooleanField("I accept the Reader agreement")


class SignInForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("Enter your email."), Email("Enter a valid email address.")])
    password = PasswordField("Password", validators=[InputRequired("Enter your password."), Length(max=MAX_LENGTH)])
    remember = BooleanField("Keep me signed in on this device")


class ResetRequestForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("Enter your email."), Email("Enter a valid email address.")])


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[*_password, Length(min=MIN_LENGTH, message=f"Use at least {MIN_LENGTH} characters.")],
        description=f"At least {MIN_LENGTH} characters.",
    )
    confirm = PasswordField("Repeat the new password", validators=[EqualTo("password", "The passwords differ.")])
