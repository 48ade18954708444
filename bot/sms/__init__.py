"""The SMS channel's logic without Rasa: encoding and splitting, numbered options, compliance keywords and
texts, pseudonymous ids and the encrypted number, its tables (store.py), and ordered delivery through Twilio's
REST API (twilio_rest.py, which staff paging, bot/notify.py, sends through too)."""
