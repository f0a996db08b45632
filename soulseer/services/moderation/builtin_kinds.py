"""The kinds of content moderated today: reviews (and the reader's answer), reader profiles,
reading chat lines, finished readings ("Report a problem") and users. Later areas register
theirs the same way from their own init_app (docs/moderation.md)."""

import sqlalchemy as sa
from flask import url_for

from soulseer.extensions import db
from soulseer.models import ReaderProfile, Reading, ReadingMessage, ReadingState, Review, User, UserStatus
from soulseer.services.moderation.kinds import READING_REASONS, ContentKind, register

CHAT_CONTEXT_LINES = 5  # lines before and after a reported chat line, in the queue


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


def _chat_context(message):
    """The reported line with the lines around it, in order."""
    lines = db.session.execute(
        sa.select(ReadingMessage)
        .where(ReadingMessage.reading_id == message.reading_id)
        .order_by(ReadingMessage.created_at, ReadingMessage.id)
    ).scalars()
    lines = list(lines)
    at = next(i for i, line in enumerate(lines) if line.id == message.id)
    return {
        "reading": db.session.get(Reading, message.reading_id),
        "lines": lines[max(0, at - CHAT_CONTEXT_LINES) : at + CHAT_CONTEXT_LINES + 1],
    }


def _chat_seen_by(user, message):
    reading = db.session.get(Reading, message.reading_id)
    return _is_participant(user, reading) and (message.visible or user.id == message.sender_id)


def register_builtin_kinds():
    register(
        ContentKind(
            name="review",
            label="Review",
            model=Review,
            author_id=lambda review: review.client_id,
            texts=lambda review: {"body": review.body},
            can_see=_review_seen_by,
            link=lambda review: url_for("admin.readings.reading", reading_id=review.reading_id),
            context_template="moderation/context/_review.html",
            context=_review_context,
            on_visibility_change=_refresh_rating,
            describe=lambda review: f"{review.stars}-star review by {review.client.display_name}",
        )
    )
    register(
        ContentKind(
            name="review_answer",
            label="Answer to a review",
            model=Review,
            author_id=lambda review: review.reader_id,
            texts=lambda review: {"answer": review.answer or ""},
            can_see=_review_seen_by,
            link=lambda review: url_for("admin.readings.reading", reading_id=review.reading_id),
            context_template="moderation/context/_review.html",
            context=_review_context,
            # The answer is part of its review: hide the review (its own item) or act on the reader.
            hideable=False,
            describe=lambda review: f"{review.reader.display_name}'s answer to a review",
        )
    )
    register(
        ContentKind(
            name="reader_profile",
            label="Reader profile",
            model=ReaderProfile,
            author_id=lambda profile: profile.user_id,
            texts=lambda profile: {"tagline": profile.tagline, "bio": profile.bio},
            can_see=_profile_seen_by,
            link=lambda profile: url_for("readers.show", slug=profile.slug),
            context_template="moderation/context/_reader_profile.html",
            describe=lambda profile: f"{profile.display_name}'s profile",
        )
    )
    register(
        ContentKind(
            name="reading_message",
            label="Chat message",
            model=ReadingMessage,
            author_id=lambda message: message.sender_id,
            texts=lambda message: {"body": message.body},
            can_see=_chat_seen_by,
            link=lambda message: url_for("admin.readings.reading", reading_id=message.reading_id),
            context_template="moderation/context/_reading_message.html",
            context=_chat_context,
            describe=lambda message: f"A chat line by {message.sender.display_name}",
        )
    )
    register(
        ContentKind(
            name="reading",
            label="Reading",
            model=Reading,
            # A problem with a reading is reported by its client, about what the reader delivered.
            author_id=lambda reading: reading.reader_id,
            texts=lambda reading: {},
            can_see=lambda user, reading: (
                _is_participant(user, reading) and reading.state in (ReadingState.ENDED, ReadingState.FINALIZED)
            ),
            link=lambda reading: url_for("admin.readings.reading", reading_id=reading.id),
            context_template="moderation/context/_reading.html",
            hideable=False,
            reasons=READING_REASONS,
            describe=lambda reading: f"{reading.mode.capitalize()} reading with {reading.reader.display_name}",
        )
    )
    register(
        ContentKind(
            name="user",
            label="Person",
            model=User,
            author_id=lambda user: user.id,
            texts=lambda user: {"display_name": user.display_name},
            can_see=lambda viewer, user: user.status == UserStatus.ACTIVE,
            link=lambda user: url_for("admin.users.user", user_id=user.id),
            context_template="moderation/context/_user.html",
            hideable=False,
            describe=lambda user: user.display_name,
        )
    )
