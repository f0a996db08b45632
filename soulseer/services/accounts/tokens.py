"""One-time email links: issue a random token, store its hash, redeem it exactly once."""

import hashlib
import secrets

import sqlalchemy as sa

from soulseer import clock
from soulseer.errors import DomainError
from soulseer.extensions import db
from soulseer.models import AccountToken


class TokenError(DomainError):
    """The link cannot be used; `reason` is unknown, expired or used. Callers say why in their words
    (accounts, invitations)."""

    status = 400

    def __init__(self, reason):
        super().__init__(f"This link cannot be used ({reason}).")
        self.reason = reason


def digest(raw):
    """How a token is kept: its sha256 (the raw value lives only in the link or address)."""
    return hashlib.sha256(raw.encode()).hexdigest()


def issue(user, purpose, email, lifetime):
    """Create a token for `user` (flushed, not committed) and return the raw value for the link."""
    raw = secrets.token_urlsafe(32)
    db.session.add(
        AccountToken(
            user_id=user.id, purpose=purpose, token_hash=digest(raw), email=email, expires_at=clock.now() + lifetime
        )
    )
    db.session.flush()
    return raw


def peek(raw, purpose):
    """The token if it could be redeemed now, without using it; else TokenError."""
    token = db.session.execute(
        sa.select(AccountToken).filter_by(token_hash=digest(raw or ""), purpose=purpose)
    ).scalar_one_or_none()
    if token is None:
        raise TokenError("unknown")
    if token.used_at is not None:
        raise TokenError("used")
    if token.expires_at <= clock.now():
        raise TokenError("expired")
    return token


def redeem(raw, purpose):
    """Use the token once: one atomic UPDATE, so two clicks at once cannot both succeed."""
    now = clock.now()
    token_id = db.session.execute(
        sa.update(AccountToken)
        .where(
            AccountToken.token_hash == digest(raw or ""),
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
            AccountToken.expires_at > now,
        )
        .values(used_at=now)
        .returning(AccountToken.id)
    ).scalar_one_or_none()
    if token_id is None:
        peek(raw, purpose)  # raises with the reason
        raise TokenError("used")  # lost a race with another redemption
    return db.session.get(AccountToken, token_id)


def retire(user, purpose):
    """Mark the user's open tokens of this purpose used (a newer link replaces older ones)."""
    db.session.execute(
        sa.update(AccountToken)
        .where(AccountToken.user_id == user.id, AccountToken.purpose == purpose, AccountToken.used_at.is_(None))
        .values(used_at=clock.now())
    )
