"""The action server: thin rasa_sdk adapters around the application core in bot/."""
