"""A seeded, realistic xAPI data set for the LRS benchmark: learners, courses, sessions, statements.

Statement ``k`` of the stream belongs to session ``k // SESSION_LENGTH``, and each session
is generated from its own ``Random(seed, session)``, so any slice of the stream can be made
by any process without making what comes before it. The statements look like the ones the
LMS writes: account actors, bilingual activity definitions, registrations, context
activities, quiz answers with interaction definitions, scores and durations.
Only the standard library (and our vocabulary module) is used, so client processes start fast.
"""
from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterator

from xapi import vocabulary as vocab

SITE = "https://congdanso.example"
PLATFORM = vocab.PLATFORM
LEARNERS = 2000
COURSES = 8
PAGES_PER_COURSE = 4
QUESTIONS_PER_QUIZ = 5
# launched, experienced, 5 x answered, passed/failed, completed (quiz), progressed,
# experienced (next page), completed (page).
SESSION_LENGTH = 12
# Sessions are 53 s apart: a million statements span 51 days from here, all in the past.
START = datetime(2026, 1, 5, 7, 30, tzinfo=timezone(timedelta(hours=7)))
VERBS = {name: {"id": vocab.verb(name), "display": dict(vocab.VERBS[vocab.verb(name)])}
         for name in ("launched", "experienced", "answered", "passed", "failed", "completed", "progressed")}
_TOPICS = [
    ("dich-vu-cong", "Dịch vụ công trực tuyến", "Online public services"),
    ("vneid", "Định danh điện tử VNeID", "VNeID electronic identity"),
    ("an-toan-mang", "An toàn trên không gian mạng", "Staying safe online"),
    ("chu-ky-so", "Chữ ký số", "Digital signatures"),
    ("thanh-toan", "Thanh toán không dùng tiền mặt", "Cashless payments"),
    ("bao-hiem-xa-hoi", "Bảo hiểm xã hội số", "Digital social insurance"),
    ("ho-tich", "Đăng ký hộ tịch trực tuyến", "Online civil registration"),
    ("thue-dien-tu", "Khai thuế điện tử", "Electronic tax returns"),
]


@dataclass(frozen=True)
class Session:
    """One learner's sitting in one course: who, where, and the statements' first index."""

    index: int
    learner: str
    course: int
    page: int
    registration: str
    started: datetime


def learner_name(seed: int, number: int) -> str:
    """The opaque account name of learner ``number`` (like the LMS's user ids)."""
    return uuid.UUID(int=random.Random(f"{seed}/learner/{number}").getrandbits(128)).hex[:16]


def actor(seed: int, number: int) -> dict:
    return {"objectType": "Agent", "account": {"homePage": SITE, "name": learner_name(seed, number)}}


def registration(seed: int, learner: int, course: int) -> str:
    """One enrolment of a learner in a course keeps its registration for every session."""
    return str(uuid.UUID(int=random.Random(f"{seed}/reg/{learner}/{course}").getrandbits(128), version=4))


def course_iri(course: int) -> str:
    return f"{SITE}/courses/{_TOPICS[course % len(_TOPICS)][0]}"


def module_iri(course: int, module: str) -> str:
    return f"{course_iri(course)}/modules/{module}"


def session(seed: int, index: int) -> Session:
    rng = random.Random(f"{seed}/session/{index}")
    learner = rng.randrange(LEARNERS)
    course = rng.randrange(COURSES)
    started = START + timedelta(seconds=index * 53 + rng.randrange(40), milliseconds=rng.randrange(1000))
    return Session(index=index, learner=learner, course=course, page=rng.randrange(PAGES_PER_COURSE - 1),
                   registration=registration(seed, learner, course), started=started)


def statement_id(seed: int, number: int) -> str:
    """The id of statement ``number`` of the stream (the same in every process)."""
    return str(uuid.UUID(int=random.Random(f"{seed}/statement/{number}").getrandbits(128), version=4))


def statements(seed: int, start: int, count: int, version: str = "1.0.3") -> Iterator[dict]:
    """Statements ``start`` .. ``start + count - 1`` of the seeded stream."""
    end = start + count
    for index in range(start // SESSION_LENGTH, (end - 1) // SESSION_LENGTH + 1 if count else 0):
        first = index * SESSION_LENGTH
        for offset, statement in enumerate(_session_statements(seed, session(seed, index), version)):
            if start <= first + offset < end:
                statement["id"] = statement_id(seed, first + offset)
                yield statement


def _session_statements(seed: int, sitting: Session, version: str) -> list[dict]:
    rng = random.Random(f"{seed}/session-detail/{sitting.index}")
    course = sitting.course
    page, next_page, quiz = (_module(course, f"page-{sitting.page + 1}"),
                             _module(course, f"page-{sitting.page + 2}"), _module(course, "quiz"))
    correct = [rng.random() < 0.7 for _ in range(QUESTIONS_PER_QUIZ)]
    score = sum(correct)
    passed = score * 5 >= QUESTIONS_PER_QUIZ * 3  # 60 % to pass, as the course manifests say
    progress = min(100, (sitting.page + 2) * 100 // (PAGES_PER_COURSE + 1))
    make = _Maker(seed, sitting, version, rng)
    made = [make("launched", _course(course)),
            make("experienced", page, {"duration": make.duration(60, 600)})]
    for number, right in enumerate(correct):
        made.append(make("answered", _question(course, number),
                         {"response": "a" if right else rng.choice("bcd"), "success": right,
                          "duration": make.duration(5, 90)}, parent=quiz))
    made.append(make("passed" if passed else "failed", quiz,
                     {"score": {"scaled": round(score / QUESTIONS_PER_QUIZ, 2), "raw": score, "min": 0,
                                "max": QUESTIONS_PER_QUIZ},
                      "success": passed, "completion": True, "duration": make.duration(60, 900)}))
    made.append(make("completed", quiz, {"completion": True}))
    made.append(make("progressed", _course(course), {"extensions": {vocab.EXT_PROGRESS: progress}}))
    made.append(make("experienced", next_page, {"duration": make.duration(60, 600)}))
    made.append(make("completed", next_page, {"completion": True}))
    return made


class _Maker:
    """Builds the statements of one session with a clock that moves forward."""

    def __init__(self, seed: int, sitting: Session, version: str, rng: random.Random) -> None:
        self.seed, self.sitting, self.version, self.rng = seed, sitting, version, rng
        self.clock = sitting.started

    def duration(self, low: int, high: int) -> str:
        seconds = self.rng.randrange(low, high)
        return f"PT{seconds // 60}M{seconds % 60}.{self.rng.randrange(100):02d}S"

    def __call__(self, verb: str, target: dict, result: dict | None = None,
                 parent: dict | None = None) -> dict:
        """A statement about ``target``; its parent is ``parent``, else the course (unless it is the course)."""
        self.clock += timedelta(seconds=self.rng.randrange(3, 120), milliseconds=self.rng.randrange(1000))
        course = _course(self.sitting.course, brief=True)
        # As lms/learn/statements.py: parent = the module for questions, the course for modules;
        # grouping = the course, except on statements about the course itself.
        activities: dict = {"category": [_profile()]}
        if target["id"] != course["id"]:
            activities["grouping"] = [course]
            activities["parent"] = [{"objectType": "Activity", "id": (parent or course)["id"]}]
        statement = {
            "actor": actor(self.seed, self.sitting.learner),
            "verb": VERBS[verb],
            "object": target,
            "context": {"registration": self.sitting.registration, "contextActivities": activities,
                        "language": vocab.LANGUAGE_TAGS["vi"], "platform": PLATFORM,
                        "extensions": {vocab.EXT_SESSION: f"s{self.sitting.index}"}},
            "timestamp": self._timestamp(),
        }
        if result:
            statement["result"] = result
        return statement

    def _timestamp(self) -> str:
        # xAPI 2.0 asks for UTC; 1.0.3 statements keep the learner's local offset (+07:00).
        moment = self.clock.astimezone(timezone.utc) if self.version.startswith("2.") else self.clock
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _definition(vi: str, en: str, kind: str, vi_description: str, en_description: str) -> dict:
    return {"name": vocab.language_map({"vi": vi, "en": en}),
            "description": vocab.language_map({"vi": vi_description, "en": en_description}),
            "type": vocab.ACTIVITY_TYPES[kind]}


def _course(course: int, brief: bool = False) -> dict:
    slug, vi, en = _TOPICS[course % len(_TOPICS)]
    activity = {"objectType": "Activity", "id": course_iri(course)}
    if not brief:
        activity["definition"] = _definition(vi, en, "course", f"Khoá học: {vi}", f"Course: {en}")
    return activity


def _module(course: int, module: str) -> dict:
    _, vi, en = _TOPICS[course % len(_TOPICS)]
    if module == "quiz":
        kind, names = "assessment", (f"Bài kiểm tra: {vi}", f"Quiz: {en}")
    else:
        number = module.split("-")[1]
        kind, names = "lesson", (f"{vi} — bài {number}", f"{en} — lesson {number}")
    return {"objectType": "Activity", "id": module_iri(course, module),
            "definition": _definition(*names, kind, names[0], names[1])}


def _question(course: int, number: int) -> dict:
    _, vi, en = _TOPICS[course % len(_TOPICS)]
    choices = [{"id": letter, "description": vocab.language_map({"vi": f"Phương án {letter.upper()}",
                                                                 "en": f"Option {letter.upper()}"})}
               for letter in "abcd"]
    definition = _definition(f"Câu {number + 1}: {vi}", f"Question {number + 1}: {en}", "interaction",
                             f"Chọn câu trả lời đúng về {vi.lower()}.", f"Choose the right answer about {en.lower()}.")
    definition.update(interactionType="choice", correctResponsesPattern=["a"], choices=choices)
    return {"objectType": "Activity", "id": f"{module_iri(course, 'quiz')}/questions/{number + 1}",
            "definition": definition}


def _profile() -> dict:
    return {"objectType": "Activity", "id": vocab.PROFILE_IRI,
            "definition": {"type": vocab.ACTIVITY_TYPES["profile"]}}
