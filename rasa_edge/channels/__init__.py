"""Rasa input channels: thin adapters between a transport and the bot (its rules: bot/channels/)."""
