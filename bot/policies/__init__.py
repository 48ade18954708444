"""Rasa dialogue policies of this project (the decisions they make live in plain modules beside them)."""
