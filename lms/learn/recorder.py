"""Collects the xAPI statements of one player action and writes them before the action commits."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import select
from tincan import Result

from lms.activities.base import Outcome
from lms.extensions import db
from lms.learn import statements as st
from xapi import vocabulary as vocab
from xapi.lrs.models import LrsClient

if TYPE_CHECKING:
    from lms.learn.models import ModuleProgress
    from lms.learn.services import Player


def system_authority() -> dict:
    """The authority of the LMS's own statements: the system LRS credential, created once.

    Kept per process once found (it never changes), saving a query on every learner action.
    """
    from xapi.lrs.auth import create_client

    cached = current_app.extensions.get("lms.system_authority")
    if cached is not None:
        return cached
    client = db.session.scalar(select(LrsClient).where(LrsClient.is_system.is_(True), LrsClient.revoked.is_(False))
                               .order_by(LrsClient.id))
    if client is None:
        client, _secret = create_client(db.session, "LMS", ["all"], home_page=current_app.config["SITE_URL"],
                                        is_system=True)
        return dict(client.authority)  # not cached until committed: the transaction may roll back
    current_app.extensions["lms.system_authority"] = dict(client.authority)
    return dict(client.authority)


class Recorder:
    """Statement factory for one learner, module and moment; ``flush`` sends them to the LRS."""

    def __init__(self, player: Player) -> None:
        user, course, module = player.user, player.assignment.course, player.module
        self.player = player
        self.course = st.ActivityRef(course.iri, course.title, vocab.ACTIVITY_TYPES["course"], course.summary)
        self.module = st.ActivityRef(module.iri, module.title, player.plugin.xapi_activity_type)
        self.builder = st.StatementBuilder(
            current_app.config["SITE_URL"], st.Learner(user.public_id, user.full_name, user.email),
            player.enrolment.registration, self.course, player.locale, player.now,
            bool(current_app.config.get("LRS_EXPOSE_LEARNER_IDENTITY")))
        self.statements: list[dict] = []

    def _module(self, verb: str, key: tuple, result: Result | None = None, extensions: dict | None = None) -> None:
        self.statements.append(self.builder.build(verb, self.module, key, parent=self.course, result=result,
                                                  extensions=extensions))

    def session_started(self, session: int) -> None:
        extensions = {vocab.EXT_SESSION: session}
        self._module("launched", (f"s{session}", "launched"), extensions=extensions)
        self._module("initialized", (f"s{session}", "initialized"), extensions=extensions)
        if vocab.verb("experienced") in self.player.plugin.verbs:
            self._module("experienced", (f"s{session}", "experienced"), extensions=extensions)

    def terminated(self, session: int, started: datetime) -> None:
        result = Result(duration=max(self.player.now - started, timedelta(0)))
        self._module("terminated", (f"s{session}", "terminated"), result=result,
                     extensions={vocab.EXT_SESSION: session})

    def attempted(self, number: int) -> None:
        self._module("attempted", (number, "attempted"), extensions={vocab.EXT_ATTEMPT: number})

    def graded(self, number: int, outcome: Outcome) -> None:
        """answered for each question, then scored and passed or failed for the attempt."""
        definitions = self.player.plugin.interaction_definitions(self.player.view)
        extensions = {vocab.EXT_ATTEMPT: number}
        for result in outcome.questions:
            definition = definitions.get(result.question_id, {})
            question = st.ActivityRef(f"{self.module.iri}/questions/{result.question_id}",
                                      self._question_title(definition), vocab.ACTIVITY_TYPES["interaction"])
            extra = {k: v for k, v in definition.items() if k not in ("name", "type")}
            self.statements.append(self.builder.build(
                "answered", question, (number, f"answered:{result.question_id}"), parent=self.module,
                result=st.answer_result(result.correct, result.response, result.max_points),
                definition=extra, extensions=extensions))
        if outcome.score_max:
            self._module("scored", (number, "scored"), st.score_result(outcome.score_raw or 0, outcome.score_max),
                         extensions)
        if outcome.success is not None:
            verdict = "passed" if outcome.success else "failed"
            self._module(verdict, (number, verdict),
                         st.score_result(outcome.score_raw or 0, outcome.score_max or 0, success=outcome.success),
                         extensions)

    @staticmethod
    def _question_title(definition: dict) -> dict[str, str]:
        names = definition.get("name", {})
        return {"vi": names.get("vi-VN", ""), "en": names.get("en-US", "")}

    def module_completed(self, progress: ModuleProgress) -> None:
        result = Result(completion=True)
        if progress.best_scaled is not None:
            result = st.score_result(round(progress.best_scaled * 100, 2), 100, success=progress.passed,
                                     completion=True)
        self._module("completed", (0, "completed"), result)

    def course_progressed(self, module_key: str, percent: int) -> None:
        self.statements.append(self.builder.build("progressed", self.course, (0, f"progressed:{module_key}"),
                                                  result=st.progress_result(percent, percent >= 100)))

    def course_completed(self) -> None:
        self.statements.append(self.builder.build("completed", self.course, (0, "completed"),
                                                  result=Result(completion=True)))

    def flush(self) -> None:
        """Write the collected statements through the LRS ingest (same transaction, no commit)."""
        if self.statements:
            st.write(db.session, self.statements, system_authority())
            self.statements = []
