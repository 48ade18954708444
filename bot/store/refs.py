"""Keyed pseudonyms for values that must be compared but not kept: client addresses (sign-in limits, the
limit on pages per address). Meaningless without the key, so a copy of the database names no address."""

from __future__ import annotations

import hashlib
import hmac


def keyed_ref(kind: str, value: str, key: str) -> str:
    """32 hex characters of HMAC-SHA256 over `kind` and `value`: the same value of another kind differs."""
    return hmac.new(key.encode("utf-8"), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:32]
