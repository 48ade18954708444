"""GAD-7 (Generalized Anxiety Disorder scale, Spitzer, Kroenke, Williams & Löwe; public domain), verbatim, and its
closing question on difficulty (unscored)."""

from __future__ import annotations

from bot.instruments.base import Instrument
from bot.instruments.frequency import difficulty_item, frequency_item
from bot.questions import Question

STEM = "Over the last 2 weeks, how often have you been bothered by the following problems?"
STEM_OTHER = "Over the last 2 weeks, how often has {name} been bothered by the following problems?"


def _item(n: int, text: str, why: str) -> Question:
    return frequency_item("gad7", n, text, why, stem=STEM, stem_other=STEM_OTHER)


GAD7 = Instrument(
    key="gad7",
    name="GAD-7",
    items=(
        _item(
            1,
            "Feeling nervous, anxious, or on edge",
            "Feeling on edge is one of the clearest signs of anxiety, so it shows us how much it has been "
            "affecting day-to-day life.",
        ),
        _item(
            2,
            "Not being able to stop or control worrying",
            "Worry that is hard to switch off can be exhausting; how often it happens helps us suggest the "
            "right support.",
        ),
        _item(
            3,
            "Worrying too much about different things",
            "Worrying about many things at once is common with anxiety and helps the team see the bigger picture.",
        ),
        _item(
            4,
            "Trouble relaxing",
            "Not being able to relax can wear a person down; it tells us how much stress has been building.",
        ),
        _item(
            5,
            "Being so restless that it is hard to sit still",
            "Restlessness is one of the ways anxiety often shows up in the body.",
        ),
        _item(
            6,
            "Becoming easily annoyed or irritable",
            "Irritability is a common, and often overlooked, sign of stress and anxiety.",
        ),
        _item(
            7,
            "Feeling afraid, as if something awful might happen",
            "A sense of dread can be very distressing; asking makes sure it gets the attention it deserves.",
        ),
    ),
    bands=((0, "minimal"), (5, "mild"), (10, "moderate"), (15, "severe")),
    max_prorated=1,  # a total from 6 of 7 items still means something; from fewer it does not
)

GAD7_DIFFICULTY = difficulty_item(GAD7.key)
