"""The catalogue as teachers browse it: courses by target group, and what a course holds before assigning it."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.accounts.models import SchoolClass
from lms.accounts.policy import can_manage_class, visible_classes
from lms.activities.registry import activities
from lms.catalog.labels import TARGET_GROUP_LABELS
from lms.catalog.models import Course, CourseModule
from lms.extensions import db


class UnknownGroup(ValueError):
    """The filter names a target group the catalogue does not have."""


@dataclass
class ModuleRow:
    """A module as listed for a teacher: title, kind of activity, minutes, practice task, locked or not."""

    position: int
    title: str
    type_title: str
    minutes: int
    practice: bool
    requires_previous: bool


@dataclass
class CourseCard:
    """A course with the counts shown in the list and on its page."""

    course: Course
    modules: list[ModuleRow]

    @property
    def practice_count(self) -> int:
        return sum(1 for m in self.modules if m.practice)


def _sort_key(text: str) -> str:
    """Vietnamese titles sorted as readers expect: accents ignored, đ as d."""
    base = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    return "".join(ch for ch in base if not unicodedata.combining(ch))


def _type_title(module: CourseModule, locale: str) -> str:
    plugin = activities().get(module.type)
    if plugin is None:
        return module.type
    return plugin.title.get(locale) or plugin.title.get("vi") or module.type


def module_rows(course: Course, locale: str) -> list[ModuleRow]:
    """The course's current modules in order. ``practice`` is the hands-on flag a module's settings may carry."""
    return [ModuleRow(number, module.text(locale), _type_title(module, locale), module.estimated_minutes or 0,
                      (module.settings or {}).get("practice") is True, module.requires_previous)
            for number, module in enumerate(course.active_modules, start=1)]


def course_cards(locale: str) -> list[CourseCard]:
    """Every course, sorted by title in ``locale``."""
    courses = list(db.session.scalars(select(Course).order_by(Course.slug).options(selectinload(Course.modules))))
    courses.sort(key=lambda c: _sort_key(c.text("title", locale)))
    return [CourseCard(c, module_rows(c, locale)) for c in courses]


def for_group(cards: list[CourseCard], group: str | None) -> list[CourseCard]:
    """The courses meant for ``group`` (all when None); an unknown group raises ``UnknownGroup``."""
    if group is None:
        return cards
    if group not in TARGET_GROUP_LABELS:
        raise UnknownGroup(group)
    return [card for card in cards if group in (card.course.target_groups or [])]


def group_counts(cards: list[CourseCard]) -> dict[str, int]:
    """How many courses each target group has, for the filter links."""
    return {group: len(for_group(cards, group)) for group in TARGET_GROUP_LABELS}


def assignable_classes(user: Any) -> list[SchoolClass]:
    """The classes ``user`` may assign courses to (the same rule as the assign form)."""
    query = visible_classes(user).options(selectinload(SchoolClass.teachers))
    return [c for c in db.session.scalars(query) if can_manage_class(user, c)]


def hours_and_minutes(minutes: int) -> tuple[int, int]:
    return divmod(max(minutes or 0, 0), 60)
