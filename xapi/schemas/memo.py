"""A bounded per-process cache of sub-objects already found valid, so repeats skip marshmallow.

Statements repeat the same actor, verb, activity (with its definition) and contextActivities
again and again; validating each of them once is enough. Every nested object of a statement
is loaded through :func:`load`, which keys the cache on the schema and an exact serialisation
of the value. Only successes are remembered: an invalid value is validated afresh every time,
at its place in the statement, so its error and path are the ones marshmallow gives.

A valid object is returned as given, not copied: the content is what was sent, and the
cache holds bytes only, so no two callers ever share an object through it.
"""
from __future__ import annotations

import marshal
from functools import lru_cache
from typing import Any

from marshmallow import Schema, ValidationError

# Bounds of the cache: at most 8,192 keys of at most 4 KB each (32 MB at the very worst;
# a few MB in practice, as most sub-objects take a few hundred bytes).
CACHE_ENTRIES = 8192
MAX_KEY_BYTES = 4096
# Format 2 writes every value in full. Later formats share repeated objects by reference
# depending on reference counts, so equal values could serialise differently.
_FORMAT = 2


def load(schema: Schema, value: Any) -> Any:
    """Validate ``value`` with ``schema`` as ``schema.load`` does (same ValidationError); return it.

    The key is marshal's serialisation, which keeps exact Python types (``True`` is not ``1``,
    ``1.0`` is not ``1``, a tuple is not a list) and so can only match an identical value.
    Values marshal cannot serialise (subclasses, other objects) and large values are not
    cached: marshmallow loads them each time, and its result is returned.
    """
    if schema.checked_apart and type(value) is dict and not schema.checked_apart.isdisjoint(value):
        return _load_apart(schema, value)
    try:
        key = marshal.dumps(value, _FORMAT)
    except ValueError:
        return schema.load(value)
    if len(key) > MAX_KEY_BYTES:
        return schema.load(value)
    _validated(schema, key)
    return value


@lru_cache(maxsize=CACHE_ENTRIES)
def _validated(schema: Schema, key: bytes) -> bool:
    """Load the value ``key`` holds; raises its ValidationError, which lru_cache never stores.

    The value is rebuilt from the key, so it has the caller's exact content, types and order.
    """
    schema.load(marshal.loads(key))
    return True


def _load_apart(schema: Schema, value: dict) -> dict:
    """Validate ``value`` as the cached rest plus its ``checked_apart`` fields, each checked alone.

    A registration or a duration makes nearly every context or result unique; without them
    the rest repeats. As those fields are optional and no schema rule reads them, the object is
    valid exactly when the rest is valid and each of them is. On any error the whole object is
    loaded again by marshmallow, so the error reported is the one it reports.
    """
    apart = schema.checked_apart
    fields = schema.load_fields
    try:
        load(schema, {name: item for name, item in value.items() if name not in apart})
        for name in apart.intersection(value):
            fields[name].deserialize(value[name], name, value)
    except ValidationError:
        return schema.load(value)
    return value


def clear() -> None:
    """Empty the cache (for measurements and tests)."""
    _validated.cache_clear()


def cache_info() -> Any:
    """Hits, misses, maxsize and current size of the cache (``functools`` ``CacheInfo``)."""
    return _validated.cache_info()
