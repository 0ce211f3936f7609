"""Writing quiz questions back to the questions-file format (for course export)."""
from __future__ import annotations

from typing import Any

from lms.activities.tomlwrite import dumps

_SUB_TABLES = ("choices", "pairs", "items")


def questions_toml(questions: list[dict[str, Any]]) -> str:
    """The questions file text; each question's own keys come before its sub-tables, as TOML needs."""
    ordered = []
    for q in questions:
        own = {k: v for k, v in q.items() if k not in _SUB_TABLES}
        subs = {k: q[k] for k in _SUB_TABLES if q.get(k)}
        ordered.append({**own, **subs})
    return dumps({"questions": ordered})
