"""A small TOML writer for course export: strings, numbers, booleans, lists, tables, arrays of tables.

Course export needs only this subset, so a dependency would buy nothing. Output is read back by
``tomllib`` (tests check the round trip).
"""
from __future__ import annotations

import json
from typing import Any


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        # A JSON string with non-ASCII kept is a valid TOML basic string.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _key(key: str) -> str:
    return key if key.replace("_", "").replace("-", "").isalnum() and key.isascii() else json.dumps(key)


def _is_table_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def dumps(data: dict[str, Any], prefix: str = "") -> str:
    """TOML text of ``data``: plain keys first, then sub-tables, then arrays of tables."""
    lines: list[str] = []
    tables: list[tuple[str, Any]] = []
    for key, value in data.items():
        if value is None:
            continue
        if _is_table_list(value) or (isinstance(value, dict) and any(isinstance(v, dict) or _is_table_list(v) for v in value.values())):
            tables.append((key, value))
        else:
            lines.append(f"{_key(key)} = {_value(value)}")
    for key, value in tables:
        name = f"{prefix}.{_key(key)}" if prefix else _key(key)
        if isinstance(value, dict):
            lines += ["", f"[{name}]", dumps(value, name).rstrip("\n")]
        else:
            for entry in value:
                lines += ["", f"[[{name}]]", dumps(entry, name).rstrip("\n")]
    return "\n".join(line for line in lines) + "\n"
