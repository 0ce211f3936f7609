"""Models of the accounts feature."""
from __future__ import annotations
