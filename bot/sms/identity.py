"""Who is texting, without keeping who they are in the conversation.

The conversation id is a keyed HMAC of the E.164 number: stable for the same phone (a person coming back
days later continues their conversation), meaningless without the key, and never the number itself. The
number is kept only encrypted (Fernet: AES with an HMAC), for sending replies.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Optional

import phonenumbers
from cryptography.fernet import Fernet, InvalidToken

PREFIX = "sms-"
DEFAULT_REGION = "US"


def e164(raw: str, region: str = DEFAULT_REGION) -> Optional[str]:
    """'+1 (503) 555-0123' or '503-555-0123' -> '+15035550123'; None for something that is no phone number.

    Possible rather than valid: Twilio has already routed the message, and fictional or newly assigned
    numbers must not be turned away."""
    try:
        parsed = phonenumbers.parse(raw or "", region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_text(number: str) -> str:
    """An E.164 number as people read it: '+15035550123' -> '(503) 555-0123'."""
    try:
        parsed = phonenumbers.parse(number, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)


def pseudonym(number: str, key: str) -> str:
    """The conversation id for an E.164 number: 'sms-' and 24 hex characters (96 bits) of HMAC-SHA256."""
    digest = hmac.new(key.encode("utf-8"), number.encode("utf-8"), hashlib.sha256).hexdigest()
    return PREFIX + digest[:24]


class NumberCipher:
    """Encrypts the number for the database; only sending decrypts it."""

    def __init__(self, key: str) -> None:
        self._fernet = Fernet(key.encode("ascii"))

    def encrypt(self, number: str) -> str:
        return self._fernet.encrypt(number.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise ValueError("the stored number cannot be decrypted with SMS_NUMBER_KEY") from None
