"""Commands of the catalog feature."""
from __future__ import annotations

commands: list = []
