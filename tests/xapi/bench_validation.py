"""Measures statement validation speed (statements/s) on generated statements; not a pytest module.

Run: ``/work/venv/bin/python tests/xapi/bench_validation.py [--count 20000] [--rounds 3]``

Profiles, each a list of statements with distinct ids and timestamps, validated in batches of
``--batch`` (as the LRS receives them) in one pass, starting with an empty sub-object cache:

- ``simple``: actor (mbox), verb with display, activity with a name, timestamp; drawn from a
  pool of 300 learners, 6 verbs and 60 pages, as a site's traffic repeats them.
- ``simple-unique``: the same shape, but every actor and activity appears only once (the
  cache cannot help: this is the cost of validating everything).
- ``lms``: what the LMS emits: 12 learners, 36 activities (courses, lessons, quiz questions
  with bilingual definitions and choice interactions), registrations per learner and course,
  results with scores, success, completion and durations, contextActivities
  parent/grouping/category, language, platform and a session extension.
- ``dataset``: the LRS benchmark's own stream (``lms.bench.dataset``, 2000 learners).

Times are CPU time of this process (``time.process_time``), so other load on the machine
inflates them less than wall time; each profile is measured ``--rounds`` times, best reported.
Figures are in docs/content/xapi-validation.md ("Speed").
"""
from __future__ import annotations

import argparse
import gc
import random
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from xapi import schemas  # noqa: E402 (after the path fix so the script runs from anywhere)

SITE = "https://congdanso.example.vn"
ADL = "http://adlnet.gov/expapi"
VERBS = [("experienced", "đã xem", "experienced"), ("answered", "đã trả lời", "answered"),
         ("completed", "đã hoàn thành", "completed"), ("passed", "đã đạt", "passed"),
         ("failed", "chưa đạt", "failed"), ("launched", "đã mở", "launched")]
START = datetime(2026, 1, 5, 7, 30, tzinfo=timezone(timedelta(hours=7)))


def _verb(index: int) -> dict:
    name, vi, en = VERBS[index % len(VERBS)]
    return {"id": f"{ADL}/verbs/{name}", "display": {"vi-VN": vi, "en-US": en}}


def _timestamp(number: int) -> str:
    return (START + timedelta(seconds=number * 7, milliseconds=number % 1000)).isoformat(timespec="milliseconds")


def _page(number: int, unique: str = "") -> dict:
    return {"objectType": "Activity", "id": f"{SITE}/pages/{number}{unique}",
            "definition": {"name": {"vi-VN": f"Trang {number}"}}}


def simple(count: int, rng: random.Random, unique: bool = False) -> list[dict]:
    """Simple statements; with ``unique`` no actor or activity is repeated."""
    made = []
    for number in range(count):
        learner = number if unique else rng.randrange(300)
        made.append({
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "actor": {"objectType": "Agent", "name": f"Học viên {learner}", "mbox": f"mailto:hv{learner}@example.vn"},
            "verb": _verb(rng.randrange(len(VERBS))),
            "object": _page(number if unique else rng.randrange(60), "-u" if unique else ""),
            "timestamp": _timestamp(number),
        })
    return made


def _definition(kind: str, vi: str, en: str) -> dict:
    return {"name": {"vi-VN": vi, "en-US": en}, "description": {"vi-VN": f"Mô tả: {vi}", "en-US": f"About: {en}"},
            "type": f"{ADL}/activities/{kind}"}


def _question(course: int, number: int) -> dict:
    definition = _definition("cmi.interaction", f"Câu {number} khoá {course}", f"Question {number} course {course}")
    definition.update(interactionType="choice", correctResponsesPattern=["b"], choices=[
        {"id": letter, "description": {"vi-VN": f"Phương án {letter}", "en-US": f"Option {letter}"}}
        for letter in "abcd"])
    return {"objectType": "Activity", "id": f"{SITE}/courses/{course}/quiz/{number}", "definition": definition}


def _catalogue() -> list[tuple[dict, dict, dict]]:
    """(activity, its parent, its course) for 4 courses x (course, 3 lessons, 5 questions) = 36."""
    found = []
    for course in range(4):
        top = {"objectType": "Activity", "id": f"{SITE}/courses/{course}",
               "definition": _definition("course", f"Khoá học {course}", f"Course {course}")}
        found.append((top, top, top))
        for lesson in range(3):
            page = {"objectType": "Activity", "id": f"{SITE}/courses/{course}/lessons/{lesson}",
                    "definition": _definition("lesson", f"Bài {lesson}", f"Lesson {lesson}")}
            found.append((page, top, top))
        quiz = {"objectType": "Activity", "id": f"{SITE}/courses/{course}/quiz"}
        found.extend((_question(course, number), quiz, top) for number in range(5))
    return found


def lms(count: int, rng: random.Random) -> list[dict]:
    """Statements like the LMS writes (see the module docstring)."""
    learners = [{"objectType": "Agent", "name": f"Học viên {n}",
                 "account": {"homePage": SITE, "name": f"u-{1000 + n}"}} for n in range(12)]
    catalogue = _catalogue()
    profile = {"objectType": "Activity", "id": "https://w3id.org/xapi/congdanso",
               "definition": {"type": f"{ADL}/activities/profile"}}
    made = []
    for number in range(count):
        learner = rng.randrange(len(learners))
        activity, parent, course = rng.choice(catalogue)
        raw = rng.randrange(11)
        made.append({
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "actor": learners[learner],
            "verb": _verb(rng.randrange(len(VERBS))),
            "object": activity,
            "result": {"score": {"scaled": raw / 10, "raw": raw, "min": 0, "max": 10},
                       "success": raw >= 6, "completion": True,
                       "duration": f"PT{rng.randrange(20)}M{rng.randrange(60)}.{rng.randrange(100):02d}S"},
            "context": {
                "registration": str(uuid.UUID(int=learner * 100 + int(course["id"][-1]) + 1, version=4)),
                "contextActivities": {"parent": [{"objectType": "Activity", "id": parent["id"]}],
                                      "grouping": [{"objectType": "Activity", "id": course["id"]}],
                                      "category": [profile]},
                "language": "vi-VN", "platform": "Công dân số",
                "extensions": {"https://w3id.org/xapi/congdanso/extensions/session": f"s{number // 12}"},
            },
            "timestamp": _timestamp(number),
        })
    return made


def dataset(count: int, rng: random.Random, version: str) -> list[dict]:
    """The LRS benchmark's stream (another package; imported only for this profile)."""
    from lms.bench import dataset as bench_dataset

    return list(bench_dataset.statements(rng.randrange(1000), 0, count, version))


def measure(statements: list[dict], version: str, batch: int) -> float:
    """Statements per CPU second for one pass, starting with an empty cache."""
    memo = getattr(schemas, "memo", None)  # absent in the code before the cache, to measure it too
    if memo is not None:
        memo.clear()
    batches = [statements[start:start + batch] for start in range(0, len(statements), batch)]
    gc.collect()
    began = time.process_time()
    for part in batches:
        schemas.validate_statements(part, version)
    return len(statements) / (time.process_time() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20000, help="statements per profile")
    parser.add_argument("--rounds", type=int, default=3, help="passes per profile; the best is kept")
    parser.add_argument("--batch", type=int, default=100, help="statements per validate_statements call")
    parser.add_argument("--version", action="append", choices=["1.0.3", "2.0.0"], help="default: both")
    parser.add_argument("--profile", action="append", help="simple, simple-unique, lms, dataset (default: all)")
    options = parser.parse_args()
    makers: dict[str, Callable[[int, random.Random, str], list[dict]]] = {
        "simple": lambda count, rng, version: simple(count, rng),
        "simple-unique": lambda count, rng, version: simple(count, rng, unique=True),
        "lms": lambda count, rng, version: lms(count, rng),
        "dataset": dataset,
    }
    for version in options.version or ["1.0.3", "2.0.0"]:
        for name in options.profile or list(makers):
            statements = makers[name](options.count, random.Random(f"bench/{name}"), version)
            best = max(measure(statements, version, options.batch) for _ in range(options.rounds))
            print(f"{version}  {name:<14} {best:>9,.0f} statements/s  ({1e6 / best:5.1f} µs each,"
                  f" {len(statements)} statements, batches of {options.batch})", flush=True)


if __name__ == "__main__":
    main()
