"""Rasa dialogue policies of this project (the decisions they make live in bot/routing.py)."""
