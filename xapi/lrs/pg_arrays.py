"""Array parameters of a known element type for psycopg (the PostgreSQL write path).

psycopg dumps a plain ``list`` parameter by first looking at its elements to choose the
array type: a pass over the list to collect the element types, and for integers a ``max`` and
``min`` to choose the smallest integer type. The write queries of xapi/lrs/storage.py send up
to 14 arrays per request whose element types are fixed (their SQL casts say so), so that
work is done for nothing: about a tenth of psycopg's share of a one-statement write.

A list wrapped in one of the classes below is dumped with a dumper that already knows its
PostgreSQL array type (psycopg's documented way: ``register_dumper`` for a class whose
dumper sets ``oid``). The values are dumped exactly as before; ``None`` elements are NULLs.
"""
from __future__ import annotations


class TextArray(list):
    """A ``text[]`` parameter."""

    element_type = "text"


class BigintArray(list):
    """A ``bigint[]`` parameter."""

    element_type = "int8"


class BooleanArray(list):
    """A ``boolean[]`` parameter."""

    element_type = "bool"


class TimestamptzArray(list):
    """A ``timestamptz[]`` parameter (timezone-aware datetimes)."""

    element_type = "timestamptz"


TYPED_ARRAYS = (TextArray, BigintArray, BooleanArray, TimestamptzArray)

try:  # the postgres extra; without it these are plain lists and there is nothing to register
    from psycopg.postgres import types
    from psycopg.types.array import ListBinaryDumper
except ImportError:  # pragma: no cover - SQLite-only installs
    pass
else:
    class _TypedArrayDumper(ListBinaryDumper):
        """Dumps one of the classes above as an array of its ``element_type``, without a scan."""

        def __init__(self, cls: type, context=None) -> None:  # noqa: ANN001 - psycopg's AdaptContext
            info = types[cls.element_type]
            self.oid = info.array_oid        # set: psycopg asks no element for the type
            self.element_oid = info.oid      # the element dumper, made by ListBinaryDumper
            super().__init__(cls, context)


def register_dumpers(adapters) -> None:  # noqa: ANN001 - a psycopg AdaptersMap
    """Make a psycopg connection (its ``adapters``) dump the classes above with their types.

    Called for every new PostgreSQL connection (lms/database.py): registering on psycopg's
    global map would miss connections opened before this module is imported.
    """
    for cls in TYPED_ARRAYS:
        adapters.register_dumper(cls, _TypedArrayDumper)
