"""What every participant-facing channel does to a message's text before Rasa reads it."""

from __future__ import annotations


def participant_text(text: str) -> str:
    """The text without leading slashes: Rasa reads "/restart" or "/EXTERNAL_handback" as that intent,
    skipping the NLU pipeline and with it the crisis detector, so a participant could un-pause the bot or
    slip a message past the safety check. Without the slash it is read like any other message."""
    stripped = text.lstrip()
    return stripped.lstrip("/").lstrip() if stripped.startswith("/") else text
