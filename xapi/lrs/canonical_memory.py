"""What this process last saw of the stored canonical rows (lrs_activity, lrs_agent), as text.

A PostgreSQL write can commit in one round trip (storage.py, "One round trip") only if it
changes no canonical row, and whether it does depends on the rows as stored. This memory
lets the write predict it: when every activity and agent of a batch is remembered and
:func:`xapi.lrs.canonical.plan_writes` finds nothing to change against the remembered rows,
the write sends the remembered texts along, and the database checks that each row is still
stored exactly so before it inserts anything. A prediction that is wrong (another process
changed a row, or a write that was remembered rolled back) therefore costs a second attempt
by the general path, never a wrong row; the texts read in that attempt replace the stale ones.

The memory is a plain dict per process (threads share it; each operation is one dict
operation), emptied when it grows past :data:`LIMIT` keys.
"""
from __future__ import annotations

import json

import orjson

# Keys remembered per kind before the memory is emptied (a key and its text: ~1 KB each).
LIMIT = 20_000

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))

# key -> (text as stored, or None for SQL NULL; the value it parses to)
_activities: dict[str, tuple[str | None, object]] = {}
_agents: dict[str, tuple[str | None, object]] = {}


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


def remember(activities: dict[str, str | None], agents: dict[str, str | None]) -> None:
    """Rows as read or written: canonical key -> stored text."""
    for memory, rows in ((_activities, activities), (_agents, agents)):
        if len(memory) + len(rows) > LIMIT:
            memory.clear()
        for key, text in rows.items():
            known = memory.get(key)
            if known is None or known[0] != text:
                memory[key] = (text, decode(text))


def recall(activity_keys: list[str], agent_keys: list[str]) -> tuple[dict, dict, list, list] | None:
    """The remembered values and texts of these keys, or None if one of them is not remembered.

    Returns (activity values, agent values, activity texts, agent texts), the texts in the
    order of the keys given.
    """
    activity_rows = [_activities.get(key) for key in activity_keys]
    agent_rows = [_agents.get(key) for key in agent_keys]
    if None in activity_rows or None in agent_rows:
        return None
    return ({key: row[1] for key, row in zip(activity_keys, activity_rows)},
            {key: row[1] for key, row in zip(agent_keys, agent_rows)},
            [row[0] for row in activity_rows], [row[0] for row in agent_rows])


def forget_all() -> None:
    """Empty the memory (tests)."""
    _activities.clear()
    _agents.clear()
