"""Models of the admin feature."""
from __future__ import annotations
