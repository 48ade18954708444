"""The application database: models, sessions, queries, migrations and the JSON Lines export.

The SMS channel's tables live with the SMS logic (bot/sms/store.py) and the bookings' with booking
(bot/booking/store.py), all on the one metadata of bot.store.models. Nothing here opens a database at import
time; `db.session_scope(url)` does, on first use of that URL.
"""

# Every table module registers on the shared metadata when the package is imported, so Alembic and the
# schema checks see the SMS channel's and the bookings' tables wherever bot.store.models is used.
from bot.booking import store as _booking  # noqa: F401
from bot.sms import store as _sms  # noqa: F401
from bot.store import checkins as _checkins  # noqa: F401
from bot.store import staff as _staff  # noqa: F401
