"""The validated instruments: PHQ-9, GAD-7, AUDIT-C and the C-SSRS screener (pure, no Rasa import)."""

from bot.instruments.auditc import AUDITC
from bot.instruments.base import Instrument, Score
from bot.instruments.cssrs import (
    CSSRS,
    Risk,
    cssrs_reasons,
    cssrs_risk,
    declined_needs_callback,
    high_risk_reached,
)
from bot.instruments.frequency import difficulty_due
from bot.instruments.gad7 import GAD7, GAD7_DIFFICULTY
from bot.instruments.phq9 import PHQ9, PHQ9_DIFFICULTY
from bot.questions import Question

INSTRUMENTS: dict[str, Instrument] = {inst.key: inst for inst in (PHQ9, GAD7, AUDITC, CSSRS)}
# The unscored closing question of the PHQ-9 and the GAD-7, by instrument key; see `difficulty_due`.
DIFFICULTY: dict[str, Question] = {PHQ9.key: PHQ9_DIFFICULTY, GAD7.key: GAD7_DIFFICULTY}

__all__ = [
    "AUDITC",
    "CSSRS",
    "DIFFICULTY",
    "GAD7",
    "INSTRUMENTS",
    "PHQ9",
    "Instrument",
    "Risk",
    "Score",
    "cssrs_reasons",
    "cssrs_risk",
    "declined_needs_callback",
    "difficulty_due",
    "high_risk_reached",
]
