"""Drive a screening over the REST channel by answering whatever question is pending."""

from __future__ import annotations

from typing import Mapping

from harness.servers import Servers

# A participant whose answers describe moderate depression and anxiety, free in the mornings, insured.
LIKELY_FIT: dict[str, str] = {
    "consent": "yes",
    "for_whom": "for myself",
    "first_name": "my name is Sam",
    "age": "34",
    "state": "Oregon",
    "concerns_text": "I've been really depressed since my divorce, I worry all the time and can't sleep",
    "current_care": "I see a therapist",
    **{
        f"phq9_{i}": answer
        for i, answer in enumerate(
            [
                "most days",
                "nearly every day",
                "2",
                "several days",
                "more than half the days",
                "most days",
                "a couple of times",
                "not at all",
                "not at all",
            ],
            start=1,
        )
    },
    **{
        f"gad7_{i}": answer
        for i, answer in enumerate(
            ["most days", "2", "all the time", "several days", "1", "sometimes", "nope"], start=1
        )
    },
    "alcohol_use": "no",
    "cssrs_1": "no",
    "cssrs_2": "no",
    "cssrs_6": "no",
    "schedule_times": "mornings",
    "schedule_days": "3 days",
    "modality": "either",
    "transport": "no",
    "phq9_difficulty": "somewhat difficult",
    "gad7_difficulty": "very difficult",
    "insurance_carrier": "BCBS",
    "insurance_holder": "it's my own plan",
    "member_id": "skip",
    "contact_phone": "503-555-0142",
    "contact_ok": "both are fine",
    "contact_time": "mornings",
}


def texts(replies: list[dict]) -> str:
    return "\n".join(reply.get("text", "") for reply in replies)


def answer_until_done(
    servers: Servers, sender: str, answers: Mapping[str, str], *, max_turns: int = 80
) -> tuple[list[str], str]:
    """Answer each pending question from `answers` until none is pending.

    Returns the keys asked, in order, and the bot's reply to the last answer.
    """
    asked: list[str] = []
    last = ""
    for _ in range(max_turns):
        key = servers.requested(sender)
        if key is None:
            return asked, last
        assert key in answers, f"unexpected question {key!r} after {asked}"
        asked.append(key)
        last = texts(servers.send(sender, answers[key]))
    raise AssertionError(f"screening did not end within {max_turns} turns: {asked}")
