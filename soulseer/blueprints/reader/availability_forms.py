"""The reader's availability forms. The forms only carry text; services/bookings/availability
checks every rule (and says which field is wrong)."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import Optional

from soulseer.blueprints.applications.forms import CheckboxesField
from soulseer.models.booking import BUFFERS, LENGTHS
from soulseer.money import format_cents
from soulseer.services.bookings import availability, zones

RANGES_HINT = "Write each day's hours like 9:00-12:00, 14:00-18:00 (24:00 for midnight). Empty: not available."


def _cents_text(cents):
    return "" if cents is None else format_cents(cents, symbol="")


class AvailabilityForm(FlaskForm):
    time_zone = SelectField(
        "Your time zone", choices=[SelectChoice(name, name) for name in zones.known()], validate_choice=False
    )
    lengths = CheckboxesField(
        "Lengths you offer",
        choices=[SelectChoice(str(length), f"{length} minutes") for length in LENGTHS],
        description="Clients book one of these. None: you take no bookings.",
    )
    price_15 = StringField("Price for 15 minutes", description="In dollars. Empty: your rate × 15.")
    price_30 = StringField("Price for 30 minutes", description="In dollars. Empty: your rate × 30.")
    price_45 = StringField("Price for 45 minutes", description="In dollars. Empty: your rate × 45.")
    price_60 = StringField("Price for 60 minutes", description="In dollars. Empty: your rate × 60.")
    notice_minutes = IntegerField(
        "Minimum notice, in minutes",
        validators=[Optional()],
        description="How soon before a start a client may book it (0 to 2,880).",
    )
    horizon_days = IntegerField(
        "Book up to, in days ahead", validators=[Optional()], description="How far ahead clients may book (1 to 180)."
    )
    buffer_minutes = SelectField(
        "Break after each booked reading",
        choices=[SelectChoice(str(m), f"{m} minutes") for m in BUFFERS],
        validate_choice=False,
    )
    daily_cap = IntegerField(
        "Most bookings in a day",
        validators=[Optional()],
        description="At most this many bookings start on one of your days (1 to 24). Empty: no limit.",
    )
    day_0 = StringField("Monday")
    day_1 = StringField("Tuesday")
    day_2 = StringField("Wednesday")
    day_3 = StringField("Thursday")
    day_4 = StringField("Friday")
    day_5 = StringField("Saturday")
    day_6 = StringField("Sunday")

    def weekday_fields(self):
        return [getattr(self, f"day_{day}") for day in range(7)]

    def price_fields(self):
        return [getattr(self, f"price_{length}") for length in LENGTHS]

    def availability_input(self):
        return availability.AvailabilityInput(
            time_zone=self.time_zone.data or "",
            lengths=[int(value) for value in self.lengths.data or [] if value.isdigit()],
            prices={length: getattr(self, f"price_{length}").data or "" for length in LENGTHS},
            notice_minutes=self.notice_minutes.data,
            horizon_days=self.horizon_days.data,
            buffer_minutes=int(self.buffer_minutes.data) if (self.buffer_minutes.data or "").isdigit() else None,
            weekly={day: getattr(self, f"day_{day}").data or "" for day in range(7)},
            daily_cap=self.daily_cap.data,
        )

    def fill_from(self, settings, weekly):
        self.time_zone.data = settings.time_zone
        self.lengths.data = [str(length) for length in settings.lengths]
        for length in LENGTHS:
            getattr(self, f"price_{length}").data = _cents_text(settings.price_override(length))
        self.notice_minutes.data = settings.notice_minutes
        self.horizon_days.data = settings.horizon_days
        self.buffer_minutes.data = str(settings.buffer_minutes)
        self.daily_cap.data = settings.daily_cap
        for day in range(7):
            getattr(self, f"day_{day}").data = availability.ranges_text(weekly.get(day, []))

    def fill_defaults(self, time_zone):
        self.time_zone.data = time_zone
        self.notice_minutes.data = 120
        self.horizon_days.data = 60
        self.buffer_minutes.data = "10"


class OverrideForm(FlaskForm):
    day = DateField("Date", validators=[Optional()])
    blocked = BooleanField("Not available that day")
    hours = StringField("Or these hours instead", description="Like 10:00-14:00. They replace that day's weekly hours.")


class RemoveOverrideForm(FlaskForm):
    day = HiddenField()
