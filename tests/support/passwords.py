"""Password hashes for the tests' accounts."""

from functools import cache


@cache
def hashed(password):
    """The argon2id hash of `password`, made once per process. Hashing is slow on purpose (a fifth
    of a second of CPU and 64 MiB here), and the suite makes hundreds of accounts with the same
    few passwords: any valid hash of a password verifies it, so they can all carry the same one."""
    from soulseer.services.accounts import passwords

    return passwords.hash_password(password)
