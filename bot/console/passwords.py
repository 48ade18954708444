"""Staff passwords: argon2id hashes (argon2-cffi's defaults, RFC 9106's low-memory profile: 64 MiB, 3 passes).

Checking a password takes a quarter of a second of CPU on purpose: run it off the event loop.
"""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 256
HASHER = PasswordHasher()  # type ID (argon2id) by default


class WeakPassword(ValueError):
    pass


def check_new(password: str) -> str:
    """The password if it is acceptable as a new one; length is what makes a password strong."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"a password has at most {MAX_LENGTH} characters")
    if len(set(password)) < 4:
        raise WeakPassword("that password is too easy to guess")
    return password


def hash_password(password: str) -> str:
    return HASHER.hash(check_new(password))


def verify(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with other parameters than today's (it is replaced at the next sign-in)."""
    return HASHER.check_needs_rehash(password_hash)


@lru_cache(maxsize=1)
def _decoy() -> str:
    return HASHER.hash("no account has this password")


def verify_nobody(password: str) -> bool:
    """The work of a real check for a name with no account, so the time taken does not reveal which names
    exist. Always False."""
    verify(_decoy(), password)
    return False
