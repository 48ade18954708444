"""Booking benchmark (not a test): how fast times are offered, and how a rush on one slot resolves.

    python -m bench.booking_desk [--rounds 20] [--postgres postgresql://postgres@127.0.0.1:5432/test]

On a fresh migrated database (SQLite file, and PostgreSQL when reachable), with three weeks of slots made
from program.yml: the time to compute an offer (p50 / p95), then `--rounds` times fifty threads pressing
the same slot at once: how many got it (must be exactly one), and the time until all fifty had an answer.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Optional

import sqlalchemy as sa

from bot.booking.desk import Desk, SlotTaken
from bot.booking.offers import Preferences
from bot.program import load_program
from bot.store import db
from bot.store.models import utcnow

PEOPLE = 50


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def rush(desk: Desk, slot_id: int) -> tuple[int, float]:
    """Fifty people press the same slot at once: (bookings made, seconds until all were answered)."""
    start = threading.Barrier(PEOPLE + 1)
    won: list[int] = []

    def press(i: int) -> None:
        start.wait()
        try:
            desk.book(
                slot_id=slot_id,
                conversation_id=f"web-{uuid.uuid4().hex}",
                channel="rest",
                screening_id=None,
                contact_conversation_id=None,
                person_tz=None,
                now=utcnow(),
            )
            won.append(i)
        except SlotTaken:
            pass

    threads = [threading.Thread(target=press, args=(i,)) for i in range(PEOPLE)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return len(won), time.perf_counter() - began


def measure(url: str, rounds: int) -> dict:
    db.upgrade(url)
    desk = Desk(load_program(), url)
    prefs = Preferences(frozenset({"morning", "afternoon"}))
    offer_ms = []
    for _ in range(50):
        began = time.perf_counter()
        desk.offer(prefs, utcnow())
        offer_ms.append((time.perf_counter() - began) * 1000)
    results = []
    for _ in range(rounds):
        slot = desk.offer(Preferences(), utcnow()).slots[0]
        results.append(rush(desk, slot.id))
    db.dispose(url)
    return {
        "offer_p50_ms": statistics.median(offer_ms),
        "offer_p95_ms": _percentile(offer_ms, 0.95),
        "rounds": rounds,
        "exactly_one": sum(1 for won, _ in results if won == 1),
        "rush_p50_ms": statistics.median(s for _, s in results) * 1000,
        "rush_max_ms": max(s for _, s in results) * 1000,
    }


def _postgres_schema(url: str) -> Optional[str]:
    engine = sa.create_engine(url, future=True, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    try:
        with engine.connect() as connection:
            connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    except sa.exc.SQLAlchemyError:
        return None
    finally:
        engine.dispose()
    return schema


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        rows.append(("SQLite", measure(f"sqlite:///{Path(tmp) / 'bench.db'}", args.rounds)))
    schema = _postgres_schema(args.postgres)
    if schema is not None:
        url = sa.engine.make_url(args.postgres).update_query_dict({"options": f"-csearch_path={schema}"})
        try:
            rows.append(("PostgreSQL", measure(url.render_as_string(hide_password=False), args.rounds)))
        finally:
            engine = sa.create_engine(args.postgres, future=True, isolation_level="AUTOCOMMIT")
            with engine.connect() as connection:
                connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
            engine.dispose()
    else:
        print("PostgreSQL not reachable: SQLite only")
    print(f"{'database':<11} {'offer p50':>10} {'offer p95':>10} {'50-person rush':>26} {'all answered p50/max':>22}")
    for name, r in rows:
        print(
            f"{name:<11} {r['offer_p50_ms']:>8.1f}ms {r['offer_p95_ms']:>8.1f}ms "
            f"{r['exactly_one']:>3}/{r['rounds']} rounds: one booking  "
            f"{r['rush_p50_ms']:>8.0f} / {r['rush_max_ms']:.0f} ms"
        )


if __name__ == "__main__":
    main()
