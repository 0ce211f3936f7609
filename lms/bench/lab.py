"""`lms bench lab`: a class of learners working through an assignment on a running server, timed.

Set-up runs here, against the server's database (same LMS_* environment): a school class of
``--learners`` students, a small course (a lesson page and a 10-question quiz) assigned to it,
and an LRS read credential. Then every learner, in its own thread and HTTP session, logs in
(all within ``--spread`` seconds), opens the assignment, reads the page, fails the quiz, retries,
passes and leaves, exactly as a browser without JavaScript would. Finally the LRS is asked for
each learner's statements, which must be exactly the expected sequence.
"""
from __future__ import annotations

import base64
import json
import random
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path

import click
from flask.cli import with_appcontext

COURSE_SLUG = "bench-lab"
QUESTIONS = 10
PASSWORD = "lab-bench-password-7"
# The statements one learner's run must leave in the LRS, in order.
EXPECTED_VERBS = (["launched", "initialized", "experienced", "completed", "progressed", "terminated"]
                  + ["launched", "initialized", "attempted"] + ["answered"] * QUESTIONS + ["scored", "failed"]
                  + ["attempted"] + ["answered"] * QUESTIONS
                  + ["scored", "passed", "completed", "progressed", "completed", "terminated"])
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _course_files() -> dict[str, str]:
    title = '{ vi = "Bài thử phòng máy", en = "Lab bench" }'
    manifest = f'''id = "https://congdanso.edu.vn/xapi/courses/{COURSE_SLUG}"
slug = "{COURSE_SLUG}"
version = "1.0.0"
estimated_minutes = 15
target_groups = ["pupils"]
title = {title}
summary = {{ vi = "Khoá học dùng để đo tải.", en = "A course for load measurements." }}

[[modules]]
id = "lesson"
type = "page"
title = {{ vi = "Bài đọc", en = "Reading" }}
[modules.settings]
content = "lesson"

[[modules]]
id = "quiz"
type = "quiz"
title = {{ vi = "Kiểm tra", en = "Quiz" }}
requires_previous = true
[modules.settings]
questions = "quiz.toml"
pass_mark = 0.8
'''
    questions = "".join(f'''
[[questions]]
id = "q{n}"
type = "single"
prompt = {{ vi = "Câu hỏi số {n}?", en = "Question {n}?" }}
feedback_correct = {{ vi = "Đúng.", en = "Right." }}
feedback_incorrect = {{ vi = "Chưa đúng.", en = "Wrong." }}
  [[questions.choices]]
  id = "a"
  text = {{ vi = "Đáp án A", en = "Answer A" }}
  correct = true
  [[questions.choices]]
  id = "b"
  text = {{ vi = "Đáp án B", en = "Answer B" }}
''' for n in range(1, QUESTIONS + 1))
    lesson = "# Bài đọc\n\n" + "Một đoạn văn ngắn về dịch vụ công trực tuyến. " * 60 + "\n"
    return {"course.toml": manifest, "quiz.toml": questions, "lesson.vi.md": lesson,
            "lesson.en.md": "# Reading\n\n" + "A short paragraph about online public services. " * 60 + "\n"}


@dataclass
class LabSetup:
    assignment_id: int
    module_ids: dict[str, int]
    usernames: list[str]
    public_ids: dict[str, str]
    lrs_auth: str
    site_url: str


def prepare(learners: int) -> LabSetup:
    """Create the class, the course, the assignment and an LRS read credential (fresh each run)."""
    from datetime import datetime, timedelta, timezone

    from lms.accounts import services as accounts
    from lms.catalog.services import import_course_directory
    from lms.extensions import db
    from lms.teach.services import create_assignment
    from xapi.lrs.auth import create_client
    from flask import current_app

    with tempfile.TemporaryDirectory() as folder:
        package = Path(folder) / COURSE_SLUG
        package.mkdir()
        for name, text in _course_files().items():
            (package / name).write_text(text, encoding="utf-8")
        report = import_course_directory(package)
        if not report.ok:
            raise click.ClickException(f"bench course: {report}")
    run = uuid.uuid4().hex[:6]
    school = accounts.create_school(f"Lab bench {run}", f"LAB{run}".upper())
    teacher = accounts.create_user(f"lab{run}-teacher", PASSWORD, "teacher", full_name="Lab teacher",
                                   school=school, must_change_password=False)
    school_class = accounts.create_class(school, f"Lab {run}", teacher)
    students = [accounts.create_user(f"lab{run}-{n:02d}", PASSWORD, "student", full_name=f"Học sinh {n:02d}",
                                     school=school, must_change_password=False, commit=False)
                for n in range(1, learners + 1)]
    school_class.students.extend(students)
    db.session.commit()
    from lms.catalog.models import Course
    from sqlalchemy import select

    course = db.session.scalar(select(Course).where(Course.slug == COURSE_SLUG))
    now = datetime.now(timezone.utc)
    assignment = create_assignment(school_class, course, [], now - timedelta(minutes=1), now + timedelta(days=1),
                                   teacher, notify=False)
    credential, secret = create_client(db.session, f"lab bench {run}", ["statements/read"],
                                       current_app.config["SITE_URL"])
    db.session.commit()
    token = base64.b64encode(f"{credential.key}:{secret}".encode()).decode()
    return LabSetup(assignment.id, {m.key: m.id for m in course.active_modules}, [s.username for s in students],
                    {s.username: s.public_id for s in students}, f"Basic {token}", current_app.config["SITE_URL"])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003 (urllib's signature)
        return None


@dataclass
class Timings:
    """Latencies in milliseconds per kind of request, and the errors seen."""

    login: list[float] = field(default_factory=list)
    view: list[float] = field(default_factory=list)
    submit: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, milliseconds: float) -> None:
        with self.lock:
            getattr(self, kind).append(milliseconds)

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)


class Browser:
    """One learner's HTTP session: cookies, no automatic redirects, every request timed."""

    def __init__(self, base: str, timings: Timings) -> None:
        self.base = base.rstrip("/")
        self.timings = timings
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect())
        self.csrf = ""

    def request(self, kind: str, path: str, data: dict | list | None = None, expect: int = 200) -> str:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        started = time.perf_counter()
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as response:
                status, text = response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            status, text = exc.code, exc.read().decode("utf-8", "replace")
        self.timings.add(kind, (time.perf_counter() - started) * 1000)
        if status != expect:
            raise RuntimeError(f"{'POST' if data is not None else 'GET'} {path}: HTTP {status}, expected {expect}")
        found = _CSRF.search(text)
        if found:
            self.csrf = found.group(1)
        return text

    def post(self, path: str, fields: dict, kind: str = "submit") -> None:
        self.request(kind, path, {**fields, "csrf_token": self.csrf}, expect=302)


def learner_run(base: str, setup: LabSetup, username: str, delay: float, timings: Timings) -> None:
    """One learner's whole session; any failure is recorded as an error."""
    time.sleep(delay)
    browser = Browser(base, timings)
    assignment, modules = setup.assignment_id, setup.module_ids
    page = f"/learn/assignments/{assignment}/modules/{modules['lesson']}"
    quiz = f"/learn/assignments/{assignment}/modules/{modules['quiz']}"
    wrong = {f"q-q{n}": "b" for n in range(1, QUESTIONS + 1)}
    right = {f"q-q{n}": "a" for n in range(1, QUESTIONS + 1)}
    try:
        browser.request("view", "/login")
        browser.post("/login", {"identifier": username, "password": PASSWORD}, kind="login")
        browser.request("view", "/learn/")
        browser.request("view", f"/learn/assignments/{assignment}")
        browser.request("view", page)
        browser.post(page, {"action": "done"})
        browser.request("view", quiz)
        browser.post(quiz, {"action": "submit", **wrong})
        browser.request("view", quiz)
        browser.post(quiz, {"action": "retry"})
        browser.request("view", quiz)
        browser.post(quiz, {"action": "submit", **right})
        browser.request("view", quiz)
        browser.post(quiz, {"action": "leave"})
    except (RuntimeError, OSError) as exc:
        timings.error(f"{username}: {exc}")


def check_statements(base: str, setup: LabSetup) -> list[str]:
    """Each learner's statements in the LRS must be exactly EXPECTED_VERBS; returns the mismatches."""
    problems = []
    for username, public_id in setup.public_ids.items():
        agent = json.dumps({"account": {"homePage": setup.site_url, "name": public_id}})
        query = urllib.parse.urlencode({"agent": agent, "ascending": "true", "limit": "200"})
        request = urllib.request.Request(f"{base.rstrip('/')}/xapi/statements?{query}",
                                         headers={"Authorization": setup.lrs_auth,
                                                  "X-Experience-API-Version": "1.0.3"})
        with urllib.request.urlopen(request, timeout=30) as response:
            statements = json.loads(response.read())["statements"]
        verbs = [s["verb"]["id"].rsplit("/", 1)[-1] for s in statements]
        if verbs != EXPECTED_VERBS:
            problems.append(f"{username}: {len(verbs)} statements {verbs[:5]}..., expected {len(EXPECTED_VERBS)}")
    return problems


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) >= 2 else (values[0] if values else 0.0)


def _line(name: str, values: list[float]) -> str:
    if not values:
        return f"{name:12} no requests"
    return (f"{name:12} n={len(values):4}  p50={statistics.median(values):7.1f} ms  p95={_p95(values):7.1f} ms  "
            f"max={max(values):7.1f} ms")


@click.command("lab")
@click.option("--url", required=True, help="Base URL of the running server, e.g. http://127.0.0.1:8000")
@click.option("--learners", default=40, show_default=True, type=click.IntRange(1, 500))
@click.option("--spread", default=30.0, show_default=True, type=float, help="Seconds over which the logins start.")
@click.option("--seed", default=1, show_default=True, type=int)
@with_appcontext
def lab_command(url: str, learners: int, spread: float, seed: int) -> None:
    """Simulate a class in a computer lab working through an assignment on a running server."""
    setup = prepare(learners)
    click.echo(f"prepared {learners} learners, assignment {setup.assignment_id}; running...", err=True)
    timings = Timings()
    rng = random.Random(seed)
    threads = [threading.Thread(target=learner_run, args=(url, setup, name, rng.uniform(0, spread), timings))
               for name in setup.usernames]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    mismatches = check_statements(url, setup)
    click.echo(f"learners: {learners}, wall time {elapsed:.1f} s, errors: {len(timings.errors)}")
    for name in ("login", "view", "submit"):
        click.echo(_line(name, getattr(timings, name)))
    for error in timings.errors[:10]:
        click.echo(f"error: {error}")
    click.echo(f"statements: {'exactly as expected' if not mismatches else f'{len(mismatches)} learners differ'}"
               f" ({len(EXPECTED_VERBS)} per learner)")
    for mismatch in mismatches[:10]:
        click.echo(f"mismatch: {mismatch}")
    targets = {
        "every login within 2 s": bool(timings.login) and max(timings.login) <= 2000,
        "page views p95 <= 150 ms": _p95(timings.view) <= 150,
        "submissions p95 <= 150 ms": _p95(timings.submit) <= 150,
        "no errors": not timings.errors,
        "exact statements in the LRS": not mismatches,
    }
    for name, met in targets.items():
        click.echo(f"{'PASS' if met else 'FAIL'}  {name}")
    if not all(targets.values()):
        sys.exit(1)
