"""PHQ-9 (Patient Health Questionnaire, Kroenke, Spitzer & Williams; public domain), verbatim items, and its
closing question on difficulty (unscored)."""

from __future__ import annotations

from bot.instruments.base import Instrument
from bot.instruments.frequency import difficulty_item, frequency_item
from bot.questions import Question

STEM = "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
STEM_OTHER = "Over the last 2 weeks, how often has {name} been bothered by any of the following problems?"


def _item(n: int, text: str, why: str, other: str | None = None, skippable: bool = True) -> Question:
    return frequency_item("phq9", n, text, why, stem=STEM, stem_other=STEM_OTHER, other=other, skippable=skippable)


PHQ9 = Instrument(
    key="phq9",
    name="PHQ-9",
    items=(
        _item(
            1,
            "Little interest or pleasure in doing things",
            "Losing interest in things that used to be enjoyable is one of the most common signs that low "
            "mood is weighing on someone.",
        ),
        _item(
            2,
            "Feeling down, depressed, or hopeless",
            "How often low mood shows up helps us understand how heavy things have been lately, and what "
            "kind of support might fit.",
        ),
        _item(
            3,
            "Trouble falling or staying asleep, or sleeping too much",
            "Sleep and mood are closely linked, so changes in sleep help us see the whole picture.",
        ),
        _item(
            4,
            "Feeling tired or having little energy",
            "Low energy can make everything harder; knowing about it helps the team plan care that fits.",
        ),
        _item(
            5,
            "Poor appetite or overeating",
            "Changes in appetite are a common way stress and low mood show up in the body.",
        ),
        _item(
            6,
            "Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
            "How someone has been feeling about themselves matters, and it helps us see what support would help most.",
            other="Feeling bad about themselves — or that they are a failure or have let themselves or "
            "their family down",
        ),
        _item(
            7,
            "Trouble concentrating on things, such as reading the newspaper or watching television",
            "Trouble focusing can get in the way of work, school and daily life; this tells us how much.",
        ),
        _item(
            8,
            "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so "
            "fidgety or restless that you have been moving around a lot more than usual",
            "Feeling slowed down, or the opposite, restless, are both ways mood can show up in the body.",
            other="Moving or speaking so slowly that other people could have noticed? Or the opposite — "
            "being so fidgety or restless that they have been moving around a lot more than usual",
        ),
        # Never skippable: any answer above 0 leads to the safety questions (bot.screening).
        _item(
            9,
            "Thoughts that you would be better off dead or of hurting yourself in some way",
            "We ask everyone this, so that anyone living with thoughts like these gets support right away. "
            "There is no wrong answer, and no one will judge you.",
            other="Thoughts that {name} would be better off dead or of hurting themselves in some way",
            skippable=False,
        ),
    ),
    bands=((0, "minimal"), (5, "mild"), (10, "moderate"), (15, "moderately severe"), (20, "severe")),
    max_prorated=2,  # PHQ-9 scoring guidance: prorate when no more than 2 items are missing
)

PHQ9_DIFFICULTY = difficulty_item(PHQ9.key)
