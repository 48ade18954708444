"""The screening's intake questions (everything that is not a validated instrument), with their parsers.

    from bot.intake import INTAKE, CONCERNS, CARE_OPTIONS, TIMES, recognise_concerns
"""
from bot.intake.care import CARE_OPTIONS
from bot.intake.concerns import recognise_concerns
from bot.intake.coverage import HOLDERS
from bot.intake.questions import INTAKE
from bot.intake.schedule import TIMES
from bot.program import CONCERNS

__all__ = ["INTAKE", "CONCERNS", "CARE_OPTIONS", "TIMES", "HOLDERS", "recognise_concerns"]
