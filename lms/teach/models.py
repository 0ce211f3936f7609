"""Models of the teach feature."""
from __future__ import annotations
