"""Safety: crisis resources and wording (crisis detection and triage build on this)."""
