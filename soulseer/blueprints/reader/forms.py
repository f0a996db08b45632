"""The reader's profile editor. The form checks shapes; services/marketplace checks the rules again."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from soulseer.blueprints.applications.forms import CheckboxesField
from soulseer.models.reading import MODES
from soulseer.services.accounts import AccountError
from soulseer.services.marketplace import profiles


def _count_between(low, high, message):
    def check(form, field):
        if not low <= len(field.data or []) <= high:
            raise ValidationError(message)

    return check


def _rate(mode):
    def check(form, field):
        try:
            profiles.parse_rate(field.data, mode)
        except AccountError as error:
            raise ValidationError(error.message) from error

    return check


def _rate_field(mode, label):
    return StringField(
        f"{label}, per minute",
        validators=[_rate(mode)],
        description="In dollars, like 2.50. Leave empty to turn it off.",
    )


class ProfileForm(FlaskForm):
    display_name = StringField(
        "Display name",
        validators=[
            DataRequired("Enter the name clients will see."),
            Length(profiles.NAME_MIN, profiles.NAME_MAX, "Enter a display name of 2 to 80 characters."),
        ],
        description="Clients see this name, never your email or legal name.",
    )
    photo = FileField(
        "Photo",
        description="JPEG, PNG or WebP, up to 5 MB. We crop it square and remove location and camera data.",
    )
    tagline = StringField(
        "Tagline",
        validators=[Length(max=profiles.TAGLINE_MAX, message="Keep the tagline to 120 characters.")],
        description="One line under your name, up to 120 characters.",
    )
    bio = TextAreaField(
        "About you",
        validators=[
            Length(
                profiles.BIO_MIN,
                profiles.BIO_MAX,
                f"Write between {profiles.BIO_MIN} and {profiles.BIO_MAX} characters about yourself.",
            )
        ],
        description="50 to 2000 characters: your gifts, how you read, what clients can expect.",
    )
    specialties = CheckboxesField(
        "Specialties",
        validators=[
            _count_between(profiles.MIN_SPECIALTIES, profiles.MAX_SPECIALTIES, "Choose between 1 and 10 specialties.")
        ],
        description="Choose 1 to 10.",
    )
    tools = StringField(
        "Tools",
        validators=[Length(max=profiles.TEXT_MAX, message="Keep this to 200 characters.")],
        description="For example: Rider–Waite tarot, pendulum, birth charts.",
    )
    languages = StringField(
        "Languages",
        validators=[Length(max=profiles.TEXT_MAX, message="Keep this to 200 characters.")],
        description="The languages you read in, for example: English, Spanish.",
    )
    years_of_practice = IntegerField(
        "Years of practice",
        validators=[
            InputRequired("Enter a number of years (0 if you are starting out)."),
            NumberRange(profiles.MIN_YEARS, profiles.MAX_YEARS, "Enter a number from 0 to 80."),
        ],
    )
    rate_chat = _rate_field("chat", "Chat")
    rate_voice = _rate_field("voice", "Voice")
    rate_video = _rate_field("video", "Video")

    def profile_input(self):
        return profiles.ProfileInput(
            display_name=self.display_name.data,
            tagline=self.tagline.data or "",
            bio=self.bio.data or "",
            specialty_ids=self.specialties.data or [],
            tools=self.tools.data or "",
            languages=self.languages.data or "",
            years_of_practice=self.years_of_practice.data,
            rates={code: getattr(self, f"rate_{code}").data or "" for code, _ in MODES},
        )

    def fill_from(self, profile):
        self.display_name.data = profile.display_name
        self.tagline.data = profile.tagline
        self.bio.data = profile.bio
        self.specialties.data = [str(s.id) for s in profile.specialties]
        self.tools.data = profile.tools
        self.languages.data = profile.languages
        self.years_of_practice.data = profile.years_of_practice
        for code, _ in MODES:
            cents = profile.rate_for(code)
            getattr(self, f"rate_{code}").data = "" if cents is None else f"{cents // 100}.{cents % 100:02d}"


class AnswerForm(FlaskForm):
    """The reader's answer to a review; the service checks its length."""

    answer = TextAreaField("Your answer")
