"""The plugin contract is checked at start-up: broken plugins stop the application with a clear message."""
from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest
from marshmallow import Schema

from lms.activities.base import ActivityType, PluginError
from lms.activities.registry import build_registry, check_plugin


class GoodSettings(Schema):
    pass


class Good(ActivityType):
    name = "good"
    version = "1.0"
    title = {"vi": "Tốt", "en": "Good"}
    xapi_activity_type = "http://adlnet.gov/expapi/activities/lesson"
    verbs = ["http://adlnet.gov/expapi/verbs/completed"]
    settings_schema = GoodSettings


def _variant(**changes):
    return type("Variant", (Good,), changes)


def _ep(name: str, target: str) -> EntryPoint:
    return EntryPoint(name=name, value=target, group="lms.activities")


def test_good_plugin_passes_and_has_safe_defaults():
    plugin = check_plugin("good", Good)
    assert plugin.supports("grade") is False
    assert plugin.render is not None and plugin.interaction_definitions(None) == {}
    assert plugin.completion_rule({"acknowledged": True}) is True


@pytest.mark.parametrize("changes, message", [
    ({"name": "other"}, "entry point is called 'good'"),
    ({"version": ""}, "version must be a non-empty string"),
    ({"title": {"vi": "Tốt"}}, "title must be a dict"),
    ({"xapi_activity_type": "lesson"}, "xapi_activity_type must be an absolute IRI"),
    ({"verbs": []}, "verbs must be a non-empty list"),
    ({"verbs": ["completed"]}, "verbs must be a non-empty list"),
    ({"settings_schema": dict}, "settings_schema must be a marshmallow Schema class"),
])
def test_contract_violations_are_named(changes, message):
    with pytest.raises(PluginError, match=message):
        check_plugin("good", _variant(**changes))


def test_not_a_subclass_is_refused():
    with pytest.raises(PluginError, match="subclass of lms.activities.base.ActivityType"):
        check_plugin("good", object)


def test_import_error_and_duplicates_are_refused():
    with pytest.raises(PluginError, match="'broken' .* failed to import: ModuleNotFoundError"):
        build_registry([_ep("broken", "lms.activities.no_such_module:Thing")])
    twice = [_ep("page", "lms.activities.page:PageActivity"), _ep("page", "lms.activities.page:PageActivity")]
    with pytest.raises(PluginError, match="declared twice"):
        build_registry(twice)


def test_disabled_plugins_are_not_loaded():
    declared = [_ep("page", "lms.activities.page:PageActivity"), _ep("quiz", "lms.activities.quiz:QuizActivity")]
    assert set(build_registry(declared, disabled=["quiz"])) == {"page"}


def test_broken_plugin_stops_start_up(tmp_path, monkeypatch):
    """A plugin that breaks the contract makes create_app fail loudly."""
    import lms.activities.registry as registry
    from lms import create_app

    monkeypatch.setattr(registry, "entry_points",
                        lambda group: [_ep("good", "lms.activities.no_such_module:Thing")])
    with pytest.raises(PluginError, match="failed to import"):
        create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})


def test_builtins_are_declared_entry_points(app):
    registry = app.extensions["lms.activities"]
    assert set(registry) >= {"page", "quiz"}
    assert registry["quiz"].supports("attempts") and not registry["page"].supports("attempts")


def test_activities_list_command(app, runner):
    from lms.cli import cli

    result = runner.invoke(cli, ["activities", "list"])
    assert result.exit_code == 0, result.output
    assert "page  1.0.0  http://adlnet.gov/expapi/activities/lesson" in result.output
    assert "quiz  1.0.0  http://adlnet.gov/expapi/activities/assessment" in result.output
