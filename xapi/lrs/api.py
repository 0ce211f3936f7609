"""xAPI resources (api)."""
from __future__ import annotations

from xapi.lrs.http import bp  # noqa: F401
