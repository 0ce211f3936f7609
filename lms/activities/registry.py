"""Loads the activity plugins declared under the ``lms.activities`` entry point group and checks them.

The registry is built once per application and kept in ``app.extensions["lms.activities"]``;
there is no module-level mutable registry. A plugin that cannot be imported or that breaks the
contract of ``base.ActivityType`` raises ``PluginError``, which stops start-up loudly.
"""
from __future__ import annotations

import re
from importlib.metadata import EntryPoint, entry_points
from typing import Iterable

from flask import Flask, current_app
from marshmallow import Schema

from lms.activities.base import ActivityType, PluginError

ENTRY_POINT_GROUP = "lms.activities"
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_IRI = re.compile(r"^[a-z][a-z0-9+.-]*://\S+$")


def check_plugin(name: str, plugin: object) -> ActivityType:
    """Check one loaded class against the contract; return an instance of it."""
    def fail(reason: str) -> PluginError:
        return PluginError(f"activity plugin {name!r}: {reason}")

    if not isinstance(plugin, type) or not issubclass(plugin, ActivityType):
        raise fail("the entry point must name a subclass of lms.activities.base.ActivityType")
    if plugin.name != name:
        raise fail(f"class attribute name is {plugin.name!r} but the entry point is called {name!r}")
    if not _NAME.match(plugin.name):
        raise fail("name must be a lowercase word (letters, digits, underscore)")
    if not isinstance(plugin.version, str) or not plugin.version:
        raise fail("version must be a non-empty string")
    title = plugin.title
    if not isinstance(title, dict) or not all(isinstance(title.get(k), str) and title[k] for k in ("vi", "en")):
        raise fail("title must be a dict with non-empty 'vi' and 'en' strings")
    if not isinstance(plugin.xapi_activity_type, str) or not _IRI.match(plugin.xapi_activity_type):
        raise fail("xapi_activity_type must be an absolute IRI")
    if not isinstance(plugin.verbs, (list, tuple)) or not plugin.verbs or \
            not all(isinstance(v, str) and _IRI.match(v) for v in plugin.verbs):
        raise fail("verbs must be a non-empty list of verb IRIs")
    schema = plugin.settings_schema
    if not (isinstance(schema, type) and issubclass(schema, Schema)):
        raise fail("settings_schema must be a marshmallow Schema class")
    try:
        return plugin()
    except Exception as exc:  # a plugin's constructor is foreign code: report any failure plainly
        raise fail(f"cannot be created: {exc.__class__.__name__}: {exc}") from exc


def _load_entry_point(ep: EntryPoint) -> object:
    try:
        return ep.load()
    except Exception as exc:  # an import error anywhere in a plugin must become one clear line
        raise PluginError(f"activity plugin {ep.name!r} ({ep.value}) failed to import: "
                          f"{exc.__class__.__name__}: {exc}") from exc


def build_registry(declared: Iterable[EntryPoint], disabled: Iterable[str] = ()) -> dict[str, ActivityType]:
    """Load and check the declared plugins, skipping disabled ones; duplicates are an error."""
    disabled = set(disabled)
    registry: dict[str, ActivityType] = {}
    for ep in declared:
        if ep.name in disabled:
            continue
        if ep.name in registry:
            raise PluginError(f"activity plugin {ep.name!r} is declared twice ({ep.value})")
        registry[ep.name] = check_plugin(ep.name, _load_entry_point(ep))
    return registry


def load_activities(app: Flask) -> None:
    """Load every declared, enabled plugin once and add their template folders to the app."""
    from jinja2 import ChoiceLoader, FileSystemLoader

    registry = build_registry(entry_points(group=ENTRY_POINT_GROUP), app.config.get("ACTIVITIES_DISABLED", []))
    app.extensions["lms.activities"] = registry
    folders = [str(p.template_folder) for p in registry.values() if p.template_folder]
    if folders:
        app.jinja_loader = ChoiceLoader([app.jinja_loader, FileSystemLoader(folders)])  # type: ignore[list-item]


def activities() -> dict[str, ActivityType]:
    """The plugins of the current application, by name."""
    return current_app.extensions["lms.activities"]


def get_activity(name: str) -> ActivityType:
    """The plugin called ``name``; LookupError when it is not installed or disabled."""
    registry = activities()
    if name not in registry:
        raise LookupError(f"no activity plugin called {name!r} (installed: {', '.join(sorted(registry)) or 'none'})")
    return registry[name]
