"""Custom Rasa graph components: thin shells over the pure logic in bot/."""
