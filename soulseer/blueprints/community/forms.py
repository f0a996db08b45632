"""The community's forms. The sizes are checked by the service (services/community/writing.py,
one home for the rules); the hints say them."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField, TextAreaField

from soulseer.services.community import categories, writing

MARKDOWN_HINT = "Markdown works: **bold**, *italic*, lists, > quotes and links. No images."


class ThreadForm(FlaskForm):
    title = StringField("Title", description=f"{writing.TITLE_MIN} to {writing.TITLE_MAX} characters.")
    body = TextAreaField(
        "Your post", description=f"{writing.TOPIC_MIN} to {writing.TOPIC_MAX:,} characters. {MARKDOWN_HINT}"
    )


class ReplyForm(FlaskForm):
    body = TextAreaField(
        "Your reply", description=f"{writing.REPLY_MIN} to {writing.REPLY_MAX:,} characters. {MARKDOWN_HINT}"
    )
    parent_id = HiddenField()


class CategoryForm(FlaskForm):
    name = StringField("Name", description=f"{categories.NAME_MIN} to {categories.NAME_MAX} characters.")
    description = TextAreaField("Description", description=f"Up to {categories.DESCRIPTION_MAX} characters.")
    position = IntegerField("Place in the list", description="1 comes first.")
