"""Loads the activity plugins declared under the ``lms.activities`` entry point group."""
from __future__ import annotations

from importlib.metadata import entry_points

from flask import Flask


def load_activities(app: Flask) -> None:
    """Load every declared plugin once; the full contract check arrives with the learning loop."""
    app.extensions["lms.activities"] = {
        ep.name: ep.load() for ep in entry_points(group="lms.activities")
        if ep.name not in app.config.get("ACTIVITIES_DISABLED", [])
    }
