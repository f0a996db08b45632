"""The kinds of content moderated today: reviews (and the reader's answer), reader profiles,
reading chat lines, finished readings ("Report a problem") and users. Later areas register
theirs the same way from their own init_app (docs/moderation.md)."""

from dataclasses import replace

import sqlalchemy as sa
from flask import url_for

from soulseer.extensions import db
from soulseer.models import ReaderProfile, Reading, ReadingMessage, ReadingState, Review, User, UserStatus
from soulseer.services.moderation.kinds import READING_REASONS, ContentKind, LinesAround, register


def _is_participant(user, reading):
    return user.id in (reading.client_id, reading.reader_id)


def _review_context(review):
    from soulseer.services.readings import reviews

    name, slug = reviews.reader_name(review.reader_id)
    return {"reading": review.reading, "reader_name": name, "reader_slug": slug}


def _review_seen_by(user, review):
    # Visible reviews are on the reader's page for everyone; a hidden one only its writer sees.
    return review.visible or user.id == review.client_id


def _refresh_rating(review):
    from soulseer.services.readings import reviews

    reviews.refresh_rating(review.reader_id)


def _profile_seen_by(user, profile):
    from soulseer.services.marketplace import profiles

    return profiles.is_listed(profile) or user.id == profile.user_id


def _chat_seen_by(user, message):
    reading = db.session.get(Reading, message.reading_id)
    return _is_participant(user, reading) and (message.visible or user.id == message.sender_id)


def _finished_reading_seen_by(user, reading):
    return _is_participant(user, reading) and reading.state in (ReadingState.ENDED, ReadingState.FINALIZED)


def _to_reading(item):
    """Reviews, their answers and chat lines are seen in admin on their reading's record page."""
    return url_for("admin.readings.reading", reading_id=item.reading_id)


def _reading_sales(reading_ids):
    """A reading's money: its own settlement, or its booking's when it was booked."""
    booked = sa.select(Reading.booking_id).where(Reading.id.in_(reading_ids), Reading.booking_id.is_not(None))
    return [("reading", reading_ids), ("booking", booked)]


def register_builtin_kinds():
    review = register(
        ContentKind(
            "review", "Review", Review, author="client_id", fields=("body",), can_see=_review_seen_by, link=_to_reading,
            context=_review_context, on_visibility_change=_refresh_rating,
            describe=lambda review: f"{review.stars}-star review by {review.client.display_name}",
        )
    )  # fmt: skip
    # The answer is part of its review, shown the same way: hide the review (its own item) or act on the reader.
    register(
        replace(
            review, name="review_answer", label="Answer to a review", author="reader_id", fields=("answer",),
            hideable=False, on_visibility_change=None,
            describe=lambda review: f"{review.reader.display_name}'s answer to a review",
        )
    )  # fmt: skip
    register(
        ContentKind(
            "reader_profile", "Reader profile", ReaderProfile, author="user_id", fields=("tagline", "bio"),
            can_see=_profile_seen_by, link=lambda profile: url_for("readers.show", slug=profile.slug),
            describe=lambda profile: f"{profile.display_name}'s profile",
        )
    )  # fmt: skip
    register(
        ContentKind(
            "reading_message", "Chat message", ReadingMessage, author="sender_id", fields=("body",),
            can_see=_chat_seen_by, link=_to_reading,
            context=LinesAround(Reading, "reading_id", "reading", order=("created_at", "id")),
            describe=lambda message: f"A chat line by {message.sender.display_name}",
        )
    )  # fmt: skip
    # A problem with a reading is reported by its client, about what the reader delivered.
    register(
        ContentKind(
            "reading", "Reading", Reading, author="reader_id", fields=(), can_see=_finished_reading_seen_by,
            link=lambda reading: url_for("admin.readings.reading", reading_id=reading.id), hideable=False,
            reasons=READING_REASONS, questioned_sales=_reading_sales,
            describe=lambda reading: f"{reading.mode.capitalize()} reading with {reading.reader.display_name}",
        )
    )  # fmt: skip
    register(
        ContentKind(
            "user", "Person", User, author="id", fields=("display_name",),
            can_see=lambda viewer, user: user.status == UserStatus.ACTIVE,
            link=lambda user: url_for("admin.users.user", user_id=user.id), hideable=False,
            describe=lambda user: user.display_name,
        )
    )  # fmt: skip
