"""Who may use which door of the Rasa server, decided without Rasa: bearer tokens, the REST channel's own
conversation ids, and the client address a message came from (docs/security.md)."""

from __future__ import annotations

import hmac
import re
from typing import Optional

REST_PREFIX = "rest-"
# What a REST caller may call its conversation: short, printable, nothing that needs quoting in a URL path.
_SENDER = re.compile(r"[A-Za-z0-9._:@-]{1,64}")


def bearer_matches(header: Optional[str], token: str) -> bool:
    """Whether an Authorization header carries exactly `token` (compared in constant time). An empty
    `token` matches nothing: a door without a secret is closed, not open."""
    scheme, _, given = (header or "").partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def rest_refusal(token: str, production: bool, header: Optional[str]) -> Optional[int]:
    """The HTTP status refusing a REST channel call (None: it may go on). REST is for development and
    integrations: with REST_CHANNEL_TOKEN set every call needs it; without, the channel is open outside
    production and absent (404) in production."""
    if token:
        return None if bearer_matches(header, token) else 401
    return 404 if production else None


def staff_refusal(token: str, header: Optional[str]) -> Optional[int]:
    """The HTTP status refusing a staff endpoint call: 404 while STAFF_API_TOKEN is unset (the console is the
    staff's only door), 401 without the token."""
    if not token:
        return 404
    return None if bearer_matches(header, token) else 401


def rest_conversation_id(sender: object) -> Optional[str]:
    """The conversation a REST caller's `sender` names, always in the REST channel's own namespace:
    'e2e-1' -> 'rest-e2e-1' ('rest-e2e-1' stays itself), so no caller can write into a widget ('web-') or
    SMS ('sms-') conversation, whose latest channel decides where staff replies and crisis reminders go.
    None when `sender` is not a short printable id."""
    if not isinstance(sender, str) or not _SENDER.fullmatch(sender):
        return None
    return sender if sender.startswith(REST_PREFIX) else REST_PREFIX + sender


def client_address(peer: str, forwarded_for: Optional[str], proxies: int) -> str:
    """The address a request came from. Anyone can write X-Forwarded-For, so it counts only behind
    `proxies` trusted reverse proxies, and then only the entry the outermost of them added (the
    `proxies`-th from the right); otherwise, or when the header is shorter than that, the peer."""
    if proxies <= 0:
        return peer
    hops = [hop.strip() for hop in (forwarded_for or "").split(",") if hop.strip()]
    return hops[-proxies] if len(hops) >= proxies else peer
