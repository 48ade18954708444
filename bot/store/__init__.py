"""The application database: models, sessions, queries, migrations and the JSON Lines export.

Nothing here opens a database at import time; `db.session_scope(url)` does, on first use of that URL.
"""
