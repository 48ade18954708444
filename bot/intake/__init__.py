"""The screening's intake questions (everything that is not a validated instrument), with their parsers.

from bot.intake import INTAKE, CONCERNS, CARE_OPTIONS, TIMES, recognise_concerns
"""

from bot.intake.care import CARE_OPTIONS
from bot.intake.concerns import recognise_concerns
from bot.intake.contact import CONTACT, CONTACT_OK
from bot.intake.coverage import HOLDERS
from bot.intake.questions import INTAKE as _ASKED
from bot.intake.schedule import TIMES
from bot.program import CONCERNS

INTAKE = {**_ASKED, **CONTACT}

__all__ = ["INTAKE", "CONCERNS", "CARE_OPTIONS", "CONTACT_OK", "TIMES", "HOLDERS", "recognise_concerns"]
