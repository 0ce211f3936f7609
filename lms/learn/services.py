"""The learner player's actions: open a module, submit, retry, leave; progress and statements together.

Each action changes the progress rows and writes its xAPI statements through the LRS ingest
function in the same transaction, then commits once: a recorded outcome and its statements are
never separated. Progress rows are locked (SELECT ... FOR UPDATE on PostgreSQL) during an
action, so a double click or a retried request is applied once.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import SchoolClass, User, as_utc
from lms.accounts.policy import visible_classes
from lms.activities.base import ActivityType, LearnerState, ModuleView, Outcome
from lms.activities.registry import get_activity
from lms.catalog.models import CourseModule
from lms.extensions import db
from lms.learn import progress as reading
from lms.learn.models import Attempt, Enrolment, ModuleProgress
from lms.learn.recorder import Recorder
from lms.teach.models import Assignment


class PlayerError(Exception):
    """The learner may not do this now; ``kind`` is not_found, forbidden, not_open or locked."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


@dataclass
class Player:
    """Everything one player action works on."""

    user: User
    assignment: Assignment
    module: CourseModule
    plugin: ActivityType
    enrolment: Enrolment
    progress: ModuleProgress
    locale: str
    statuses: list[reading.ModuleStatus] = field(default_factory=list)
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    @property
    def view(self) -> ModuleView:
        m = self.module
        return ModuleView(m.iri, m.key, m.title, m.settings or {}, m.content or {})

    def next_module(self) -> CourseModule | None:
        ids = [s.module.id for s in self.statuses]
        index = ids.index(self.module.id) if self.module.id in ids else -1
        return self.statuses[index + 1].module if 0 <= index < len(ids) - 1 else None


def load_assignment(user: User, assignment_id: int) -> Assignment:
    """An assignment of a class the student attends, already open; PlayerError otherwise."""
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None:
        raise PlayerError("not_found")
    # One indexed query through the policy layer instead of loading the whole class roster.
    member = db.session.scalar(visible_classes(user).where(SchoolClass.id == assignment.class_id).limit(1))
    if user.role != "student" or member is None:
        raise PlayerError("forbidden")
    if as_utc(assignment.opens_at) > datetime.now(timezone.utc):
        raise PlayerError("not_open")
    return assignment


def _get_or_create(model: type, lock: bool, **keys: Any) -> Any:
    """The row with ``keys``, created when missing; a concurrent creator wins without an error."""
    query = select(model).filter_by(**keys)
    row = db.session.scalar(query.with_for_update() if lock else query)
    if row is not None:
        return row
    try:
        with db.session.begin_nested():
            row = model(**keys)
            db.session.add(row)
    except IntegrityError:
        row = db.session.scalar(query.with_for_update() if lock else query)
    return row


def load_player(user: User, assignment_id: int, module_id: int, locale: str, lock: bool = False) -> Player:
    """The player for one assigned module; PlayerError when missing, not allowed or locked."""
    assignment = load_assignment(user, assignment_id)
    modules = assignment.modules
    module = next((m for m in modules if m.id == module_id), None)
    if module is None:
        raise PlayerError("not_found")
    statuses = reading.module_statuses(modules, reading.progress_by_module(user.id, [m.id for m in modules]))
    if next(s for s in statuses if s.module.id == module_id).locked:
        raise PlayerError("locked")
    enrolment = _get_or_create(Enrolment, False, user_id=user.id, course_id=assignment.course_id)
    progress = _get_or_create(ModuleProgress, lock, enrolment_id=enrolment.id, module_id=module.id)
    return Player(user, assignment, module, get_activity(module.type), enrolment, progress, locale, statuses)


def open_attempt(progress: ModuleProgress) -> Attempt | None:
    return db.session.scalar(select(Attempt).where(Attempt.progress_id == progress.id,
                                                   Attempt.submitted_at.is_(None)).order_by(Attempt.number.desc()))


def last_submitted(progress: ModuleProgress) -> Attempt | None:
    return db.session.scalar(select(Attempt).where(Attempt.progress_id == progress.id,
                                                   Attempt.submitted_at.is_not(None)).order_by(Attempt.number.desc()))


def attempts_started(progress: ModuleProgress) -> int:
    return db.session.scalar(select(db.func.count()).select_from(Attempt).where(Attempt.progress_id == progress.id)) or 0


def can_attempt(player: Player, started: int | None = None) -> bool:
    limit = player.plugin.max_attempts(player.module.settings or {})
    return limit == 0 or (attempts_started(player.progress) if started is None else started) < limit


def _start_attempt(player: Player, recorder: Recorder) -> Attempt | None:
    started = attempts_started(player.progress)
    if not can_attempt(player, started):
        return None
    number = started + 1
    attempt = Attempt(progress_id=player.progress.id, number=number,
                      state=player.plugin.start_attempt(player.view, random.SystemRandom().randrange(2**31)),
                      started_at=player.now)
    db.session.add(attempt)
    recorder.attempted(number)
    return attempt


def open_module(player: Player) -> None:
    """The learner opens a module: a session starts (launched, initialized, experienced) unless one is
    open; a graded module with no attempt yet starts the first one (attempted). A reload changes nothing."""
    progress, recorder = player.progress, Recorder(player)
    changed = False
    if not progress.session_open:
        progress.sessions = (progress.sessions or 0) + 1
        progress.session_open = True
        progress.session_started_at = player.now
        recorder.session_started(progress.sessions)
        changed = True
    if progress.status in (None, reading.NOT_STARTED):
        progress.status = reading.IN_PROGRESS
        progress.started_at = player.now
        changed = True
    if player.plugin.supports("attempts") and not progress.attempts and open_attempt(progress) is None:
        changed = _start_attempt(player, recorder) is not None or changed
    if player.enrolment.last_module_id != player.module.id:
        player.enrolment.last_module_id = player.module.id
        changed = True
    if not changed:
        db.session.rollback()  # ends the transaction and releases the row lock
        return
    progress.updated_at = player.now
    recorder.flush()
    db.session.commit()


def submit(player: Player, form: dict[str, list[str]]) -> Outcome | None:
    """Grade and record a submission. None when there is nothing open to submit (already recorded)."""
    attempt = None
    if player.plugin.supports("attempts"):
        attempt = open_attempt(player.progress)
        if attempt is None:
            return None
    outcome = player.plugin.handle_submission(player.view, form, attempt.state if attempt else {}, player.locale)
    if not outcome.is_valid:
        return outcome
    recorder = Recorder(player)
    _record_outcome(player, attempt, outcome, recorder)
    if _apply_completion(player, recorder) and attempt is None:
        _close_session(player, recorder)
    recorder.flush()
    db.session.commit()
    return outcome


def _record_outcome(player: Player, attempt: Attempt | None, outcome: Outcome, recorder: Recorder) -> None:
    progress = player.progress
    progress.updated_at = player.now
    if attempt is None:
        progress.acknowledged = True
        return
    attempt.submitted_at = player.now
    attempt.score_raw, attempt.score_max, attempt.scaled = outcome.score_raw, outcome.score_max, outcome.score_scaled
    attempt.success = outcome.success
    attempt.response = outcome.response
    attempt.results = [vars(q) for q in outcome.questions]
    progress.attempts = (progress.attempts or 0) + 1
    progress.last_scaled = outcome.score_scaled
    if outcome.score_scaled is not None:
        progress.best_scaled = max(progress.best_scaled or 0, outcome.score_scaled)
    progress.passed = bool(progress.passed or outcome.success)
    recorder.graded(attempt.number, outcome)


def _apply_completion(player: Player, recorder: Recorder) -> bool:
    """Apply the plugin's completion rule; on first completion record module and course progress."""
    progress = player.progress
    if progress.status == reading.COMPLETED or not player.plugin.completion_rule(progress.facts()):
        return progress.status == reading.COMPLETED
    progress.status = reading.COMPLETED
    progress.completed_at = player.now
    db.session.flush()
    recorder.module_completed(progress)
    percent = reading.course_percent(player.enrolment)
    recorder.course_progressed(player.module.key, percent)
    if percent >= 100 and player.enrolment.completed_at is None:
        player.enrolment.completed_at = player.now
        recorder.course_completed()
    return True


def _close_session(player: Player, recorder: Recorder) -> None:
    progress = player.progress
    if progress.session_open:
        progress.session_open = False
        recorder.terminated(progress.sessions, as_utc(progress.session_started_at) or player.now)


def retry(player: Player) -> bool:
    """Start a new attempt when attempts remain and none is open; False when not allowed."""
    if open_attempt(player.progress) is not None:
        return True
    recorder = Recorder(player)
    started = _start_attempt(player, recorder) is not None
    recorder.flush()
    db.session.commit()
    return started


def leave(player: Player) -> None:
    """The learner leaves the module (Continue): the session ends (terminated)."""
    recorder = Recorder(player)
    _close_session(player, recorder)
    recorder.flush()
    db.session.commit()


def learner_state(player: Player, media_url: str, form_action: str) -> LearnerState:
    """What the plugin's learner view needs."""
    attempt = open_attempt(player.progress) if player.plugin.supports("attempts") else None
    last = last_submitted(player.progress) if player.plugin.supports("attempts") else None
    outcome = None
    if last is not None:
        outcome = {"score_raw": last.score_raw, "score_max": last.score_max, "scaled": last.scaled,
                   "success": last.success, "questions": last.results or [], "number": last.number}
    return LearnerState(
        locale=player.locale, completed=player.progress.status == reading.COMPLETED,
        attempts_used=player.progress.attempts or 0, attempt_state=attempt.state if attempt else {},
        last_outcome=outcome, can_attempt=can_attempt(player), form_action=form_action, media_url=media_url)


def expose_identity() -> bool:
    return bool(current_app.config.get("LRS_EXPOSE_LEARNER_IDENTITY"))
