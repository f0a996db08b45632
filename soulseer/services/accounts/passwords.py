"""Password rules and hashing (argon2id through argon2-cffi)."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 10
MAX_LENGTH = 200
_hasher = PasswordHasher()
_COMMON = frozenset(FREQUENCY_LISTS["passwords"])


def problem_with(password, user_inputs=()):
    """Why this password is not acceptable, or None. Length first, then common or trivial ones."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if password.lower() in _COMMON:
        return "This is one of the most common passwords. Choose another."
    # zxcvbn also catches repeats, sequences and the person's own name or email.
    if zxcvbn(password[:100], user_inputs=[i for i in user_inputs if i])["score"] == 0:
        return "This password is too easy to guess. Try a few unrelated words."
    return None


def hash_password(password):
    return _hasher.hash(password)


def verify_password(password_hash, password):
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash):
    return _hasher.check_needs_rehash(password_hash)
