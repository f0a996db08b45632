"""Admin forms. Reasons and notes are optional free text kept in the audit log."""

from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from soulseer.services.accounts import admin_users, applications
from soulseer.services.core import content_editing

_reason = TextAreaField(
    "Reason (optional)",
    validators=[Optional(), Length(max=admin_users.REASON_MAX, message="Keep the reason under 500 characters.")],
    description="Kept in the audit log.",
)


class SuspendForm(FlaskForm):
    reason = _reason


class RestoreForm(FlaskForm):
    reason = _reason


class RoleForm(FlaskForm):
    role = SelectField(
        "Role", choices=[SelectChoice(role.value, label) for role, label in admin_users.ROLE_LABELS.items()]
    )
    reason = _reason


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token."""


class DecisionForm(FlaskForm):
    decision = RadioField(
        "Your decision",
        choices=[
            SelectChoice("approve", "Approve and invite"),
            SelectChoice("keep_on_file", "Keep on file"),
            SelectChoice("reject", "Reject"),
        ],
        validators=[InputRequired("Choose a decision.")],
    )
    note = TextAreaField(
        "Note (optional)",
        validators=[Optional(), Length(max=applications.NOTE_MAX, message="Keep the note under 2000 characters.")],
        description="For the admins; the applicant does not see it.",
    )


class InviteReaderForm(FlaskForm):
    display_name = StringField(
        "Name",
        validators=[DataRequired("Enter the reader's name."), Length(min=2, max=80)],
        description="Their display name until they change it.",
    )
    email = EmailField(
        "Email",
        validators=[DataRequired("Enter the reader's email."), Email("Enter a valid email address."), Length(max=254)],
    )


class PageForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired("Enter a title."), Length(max=content_editing.TITLE_MAX)])
    body_markdown = TextAreaField(
        "Text (Markdown)",
        validators=[
            DataRequired("Write the page."),
            Length(max=content_editing.BODY_MAX, message="The page is too long (at most 50,000 characters)."),
        ],
        description="Markdown: ## for headings, **bold**, *italic*, - for lists, [text](https://...) for links. "
        "Other HTML is removed when the page is shown.",
    )
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
