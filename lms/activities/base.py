"""The activity plugin contract: the base class every activity type extends, and its value types.

An activity type (the Moodle ``mod/<name>`` idea) is a class that extends ``ActivityType`` and is
declared in ``setup.cfg`` under the entry point group ``lms.activities``::

    [options.entry_points]
    lms.activities =
        page = lms.activities.page:PageActivity

The registry (``registry.py``) loads every declared class once at start-up and checks this
contract; a plugin that breaks it stops start-up with a ``PluginError`` naming the problem.
Every hook below has a safe default, so a plugin overrides only what it needs. Hooks are pure:
they never touch the database or the request; the learn feature stores what they return.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from marshmallow import Schema


class PluginError(Exception):
    """A declared plugin cannot be used; the message names the plugin and the reason."""


@dataclass(frozen=True)
class Problem:
    """One problem found in a course package: the file, the line (0 when unknown) and what is wrong."""

    file: str
    line: int
    message: str
    path: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path + ': ' if self.path else ''}{self.message}"


@dataclass
class QuestionResult:
    """How one question of a submission was answered."""

    question_id: str
    correct: bool
    points: float
    max_points: float
    response: str
    feedback: str = ""
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Outcome:
    """What a submission achieved; returned by ``handle_submission`` and stored by the learn feature.

    ``score_scaled`` is ``score_raw / score_max`` (None when the activity is not scored);
    ``success`` is None when there is no pass/fail; ``completion`` says the activity is done.
    ``response`` is the learner's whole answer in a JSON-friendly form (kept for review).
    """

    score_raw: float | None = None
    score_max: float | None = None
    success: bool | None = None
    completion: bool = False
    response: dict[str, Any] = field(default_factory=dict)
    questions: list[QuestionResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def score_scaled(self) -> float | None:
        if self.score_raw is None or not self.score_max:
            return None
        return round(self.score_raw / self.score_max, 4)

    @property
    def is_valid(self) -> bool:
        """False when the submission could not be graded (``errors`` says why): nothing is recorded."""
        return not self.errors


@dataclass
class LearnerState:
    """What the learner view needs to know about the learner: progress, attempt, last outcome."""

    locale: str
    completed: bool = False
    attempts_used: int = 0
    attempt_state: dict[str, Any] = field(default_factory=dict)
    last_outcome: dict[str, Any] | None = None
    can_attempt: bool = True
    form_action: str = ""
    media_url: str = ""


@dataclass
class ModuleView:
    """The facts of a module that a plugin needs (kept apart from the ORM row so hooks stay pure)."""

    iri: str
    key: str
    title: dict[str, str]
    settings: dict[str, Any]
    content: dict[str, Any]


class ActivityType:
    """Base class of every activity plugin. Subclasses set the class attributes and override hooks.

    Class attributes (all required, checked at start-up):

    ``name``               unique plugin name, used as ``type`` in course packages (lowercase word)
    ``version``            the plugin's own version string
    ``title``              ``{"vi": ..., "en": ...}`` shown to teachers
    ``xapi_activity_type`` IRI of the xAPI activity type of modules of this kind
    ``verbs``              verb IRIs the plugin's modules emit (documented in the xAPI profile)
    ``settings_schema``    a marshmallow ``Schema`` class validating ``[modules.settings]``
    ``template_folder``    optional folder of Jinja templates (``<name>/...``) the plugin renders
    """

    name: ClassVar[str] = ""
    version: ClassVar[str] = ""
    title: ClassVar[dict[str, str]] = {}
    xapi_activity_type: ClassVar[str] = ""
    verbs: ClassVar[list[str]] = []
    settings_schema: ClassVar[type[Schema] | None] = None
    template_folder: ClassVar[Path | None] = None
    features: ClassVar[frozenset[str]] = frozenset()

    def supports(self, feature: str) -> bool:
        """Optional capabilities: "grade" (scored), "attempts", "review", "shuffle", "media"."""
        return feature in self.features

    def load_settings(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Validate ``[modules.settings]``; raises marshmallow ``ValidationError``."""
        schema = self.settings_schema() if self.settings_schema else None
        return schema.load(raw) if schema is not None else {}

    def new_module_settings(self, key: str) -> dict[str, Any]:
        """Settings of a module created in the course editor (it then edits the files they name)."""
        return {}

    def validate_package(self, module_dir: Path, settings: dict[str, Any]) -> list[Problem]:
        """Check the module's files inside the course folder; an empty list means valid."""
        return []

    def load_content(self, module_dir: Path, settings: dict[str, Any]) -> dict[str, Any]:
        """Read the module's files into a JSON-friendly dict stored with the module."""
        return {}

    def export_files(self, settings: dict[str, Any], content: dict[str, Any]) -> dict[str, bytes]:
        """The files (path -> bytes) that ``load_content`` would read back: used by course export."""
        return {}

    def media_paths(self, content: dict[str, Any]) -> set[str]:
        """Package-relative paths of media files (images, downloads) the content refers to."""
        return set()

    def render(self, module: ModuleView, learner_state: LearnerState, locale: str) -> str:
        """The learner view: server-rendered HTML (safe markup), working without JavaScript."""
        return ""

    def start_attempt(self, module: ModuleView, seed: int) -> dict[str, Any]:
        """State of a new attempt (for example a shuffled question order), kept until submission."""
        return {}

    def handle_submission(self, module: ModuleView, form: dict[str, list[str]],
                          attempt_state: dict[str, Any], locale: str) -> Outcome:
        """Grade a submission. ``form`` maps field names to lists of values. Pure: no database."""
        return Outcome(completion=True)

    def completion_rule(self, progress: dict[str, Any]) -> bool:
        """Is the module complete? ``progress`` has ``viewed``, ``acknowledged``, ``passed``, ``attempts``."""
        return bool(progress.get("acknowledged"))

    def interaction_definitions(self, module: ModuleView) -> dict[str, dict[str, Any]]:
        """xAPI activity definitions (interaction type, correct responses...) per question id."""
        return {}

    def max_attempts(self, settings: dict[str, Any]) -> int:
        """0 means unlimited."""
        return 0
