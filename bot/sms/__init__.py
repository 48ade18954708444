"""The SMS channel's logic without Rasa: encoding and splitting, numbered options, compliance keywords and
texts, pseudonymous ids and the encrypted number, and ordered delivery through Twilio's REST API."""
