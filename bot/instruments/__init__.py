"""The validated instruments: PHQ-9, GAD-7, AUDIT-C and the C-SSRS screener (pure, no Rasa import)."""
from bot.instruments.auditc import AUDITC
from bot.instruments.base import Instrument, Score
from bot.instruments.cssrs import CSSRS, Risk, cssrs_reasons, cssrs_risk, high_risk_reached
from bot.instruments.gad7 import GAD7
from bot.instruments.phq9 import PHQ9

INSTRUMENTS: dict[str, Instrument] = {inst.key: inst for inst in (PHQ9, GAD7, AUDITC, CSSRS)}

__all__ = [
    "AUDITC", "CSSRS", "GAD7", "INSTRUMENTS", "PHQ9", "Instrument", "Risk", "Score",
    "cssrs_reasons", "cssrs_risk", "high_risk_reached",
]
