"""Models of the learn feature."""
from __future__ import annotations
