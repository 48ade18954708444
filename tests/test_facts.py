"""Each fact has one owner in Python; what cannot import it (the rules' shared wording, YAML, migrations, the
widget's JavaScript, the demo page) is held to the owner here, so no copy can drift."""
from __future__ import annotations

from bot import eligibility
from bot.instruments import AUDITC, GAD7, PHQ9
from bot.instruments.cssrs import Risk


def test_phq9_and_gad7_share_the_floors_the_rules_state_once_for_both() -> None:
    # The rules say "PHQ-9 or GAD-7 5-9" and "10 or more": one number for both instruments.
    for label, cutoff in (("mild", eligibility.MILD_CUTOFF), ("moderate", eligibility.SYMPTOM_CUTOFF)):
        assert PHQ9.lowest(label) == GAD7.lowest(label) == cutoff
    assert (eligibility.SEVERE_PHQ9, eligibility.AUDITC_CUTOFF, eligibility.AUDITC_HIGH) == (20, 3, 8)
    assert AUDITC.band(eligibility.AUDITC_CUTOFF - 1) == "negative"


def test_the_rules_accept_exactly_the_cssrs_risk_levels() -> None:
    assert eligibility.CSSRS_RISKS == ("none", "low", "moderate", "high") == tuple(risk.value for risk in Risk)
    assert [level for level, _ in eligibility.CSSRS_TRIAGE] == ["high", "moderate", "low", "none"]
