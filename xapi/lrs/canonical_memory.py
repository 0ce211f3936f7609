"""What this process last saw of the stored canonical activity rows (lrs_activity), as text.

A PostgreSQL write can commit in one round trip (storage.py, "One round trip") only if it
changes no activity definition, and whether it does depends on the rows as stored. This
memory lets the write predict it: when every activity of a batch is remembered and
:func:`xapi.lrs.canonical.plan_writes` finds nothing to change against the remembered rows,
the write sends the remembered texts along, and the database checks that each row is still
stored exactly so before it inserts anything. A prediction that is wrong (another process
changed a row, or a write that was remembered rolled back) therefore costs a second attempt
by the general path, never a wrong row; the texts read in that attempt replace the stale ones.
(Agents need no memory: the database merges their names itself, ``lrs_merge_agents``.)

The memory is a plain dict per process (threads share it; each operation is one dict
operation), emptied when it grows past :data:`LIMIT` keys.
"""
from __future__ import annotations

import json

import orjson

# Keys remembered before the memory is emptied (a key and its definition: ~1 KB each).
LIMIT = 20_000

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))

# canonical key -> (text as stored, or None for SQL NULL; the value it parses to)
_activities: dict[str, tuple[str | None, object]] = {}


def encode(value: object) -> str | None:
    """The text a canonical value is stored as (None stays SQL NULL)."""
    return None if value is None else _ENCODER.encode(value)


def decode(text: str | None) -> object:
    """The value of a stored text."""
    if text is None:
        return None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:  # an integer beyond 64 bits: the standard parser keeps it exact
        return json.loads(text)


def remember(activities: dict[str, str | None]) -> None:
    """Rows as read or written: canonical key -> stored text."""
    if len(_activities) + len(activities) > LIMIT:
        _activities.clear()
    for key, text in activities.items():
        known = _activities.get(key)
        if known is None or known[0] != text:
            _activities[key] = (text, decode(text))


def recall(keys: list[str]) -> tuple[dict[str, object], list[str | None]] | None:
    """The remembered values (by key) and texts (in the order of ``keys``), or None if one of
    the keys is not remembered."""
    rows = [_activities.get(key) for key in keys]
    if None in rows:
        return None
    return {key: row[1] for key, row in zip(keys, rows)}, [row[0] for row in rows]


def forget_all() -> None:
    """Empty the memory (tests)."""
    _activities.clear()
