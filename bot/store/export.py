"""Screenings as JSON Lines: one object per screening, for research and program reporting.

Instrument items are grouped by each answer's `instrument` column and totals read from the
`<instrument>_total` / `_band` columns, so a new instrument needs no change here. Raw text, names and
member ids are not exported: only parsed values and the summary.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any, Optional, TextIO

from sqlalchemy.orm import Session

from bot.store.crud import screenings
from bot.store.models import Screening

SAFETY = "cssrs"  # reported as answers and a risk level, not a total
# Instruments with a total column, in column order (phq9, gad7, auditc): always present in the output.
SCORED = tuple(name[: -len("_total")] for name in Screening.__table__.columns.keys() if name.endswith("_total"))


def _natural(key: str) -> tuple[Any, ...]:
    """phq9_2 before phq9_10."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", key))


def _iso(moment: Optional[datetime]) -> Optional[str]:
    return moment.isoformat() if moment else None


def screening_record(screening: Screening) -> dict[str, Any]:
    grouped: dict[str, dict[str, Any]] = {}
    for answer in sorted(screening.answers, key=lambda a: _natural(a.question_key)):
        if answer.instrument:
            grouped.setdefault(answer.instrument, {})[answer.question_key] = answer.value
    names = list(SCORED) + sorted(set(grouped) - set(SCORED) - {SAFETY})
    instruments = {
        name: {
            "items": grouped.get(name, {}),
            "total": getattr(screening, f"{name}_total", None),
            "band": getattr(screening, f"{name}_band", None),
        }
        for name in names
    }
    return {
        "conversation_id": screening.conversation_id,
        "status": screening.status,
        "started_at": _iso(screening.started_at),
        "completed_at": _iso(screening.completed_at),
        "for_self": screening.for_self,
        "instruments": instruments,
        "cssrs": {"answers": grouped.get(SAFETY, {}), "risk": screening.cssrs_risk},
        "concerns": screening.concerns,
        "care": screening.care,
        "schedule": screening.schedule,
        "insurance": screening.insurance,
        "outcome": screening.outcome,
        "reasons": screening.reasons,
        "track": screening.track,
        "flags": screening.flags,
    }


def export_jsonl(session: Session, out: TextIO, *, since: Optional[datetime] = None) -> int:
    """Write the screenings started at or after `since`, oldest first; returns how many.

    ASCII-only JSON: U+2028 and similar would split a line for readers that use str.splitlines().
    """
    count = 0
    for screening in screenings(session, since=since):
        out.write(json.dumps(screening_record(screening), ensure_ascii=True) + "\n")
        count += 1
    return count
