"""What the participant-facing channels do to a message before Rasa reads it."""

from __future__ import annotations

import pytest

from bot.channels.access import bearer_matches
from bot.channels.text import participant_text


@pytest.mark.parametrize(
    "typed,read",
    [
        ("/restart", "restart"),
        ("/EXTERNAL_handback", "EXTERNAL_handback"),
        ('  //crisis{"x": 1}', 'crisis{"x": 1}'),
        ("/ I want to end it", "I want to end it"),
        ("/", ""),
    ],
)
def test_a_leading_slash_never_makes_a_message_a_command(typed: str, read: str):
    assert participant_text(typed) == read


@pytest.mark.parametrize("text", ["I'm 24/7 anxious", "and/or", "hi", "3", ""])
def test_other_messages_are_left_as_typed(text: str):
    assert participant_text(text) == text


def test_the_staff_endpoint_wants_the_exact_bearer_token():
    assert bearer_matches("Bearer s3cret-token", "s3cret-token")
    assert bearer_matches("bearer  s3cret-token ", "s3cret-token")
    for header in ("", "s3cret-token", "Basic s3cret-token", "Bearer s3cret", "Bearer s3cret-token-and-more"):
        assert not bearer_matches(header, "s3cret-token")
