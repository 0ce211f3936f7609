"""Helpers of the learning-loop tests: the fixture course, assignments, LRS queries, quiz answers."""
from __future__ import annotations

import base64
import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

FIXTURE_COURSES = Path(__file__).resolve().parent.parent / "fixtures" / "courses"
COURSE_DIR = FIXTURE_COURSES / "civic-basics"
COURSE_IRI = "https://congdanso.edu.vn/xapi/courses/civic-basics"

# Every answer of the fixture quiz right, as form fields.
RIGHT_ANSWERS = {
    "q-q-single": ["a"], "q-q-multiple": ["vneid", "otp"], "q-q-tf": ["false"], "q-q-short": ["  hà   NỘI "],
    "q-q-numeric": ["12"], "q-q-match-p1": ["p1"], "q-q-match-p2": ["p2"],
    "q-q-order-login": ["1"], "q-q-order-choose": ["2"], "q-q-order-submit": ["3"],
}
# Only the true/false question right: 1 of 8 points, a fail.
# Form fields are named q-<question id>[-<pair or item id>].
WRONG_ANSWERS = {"q-q-single": ["b"], "q-q-multiple": ["vneid"], "q-q-tf": ["false"], "q-q-short": ["ha noi"],
                 "q-q-numeric": ["11"], "q-q-match-p1": ["p2"], "q-q-match-p2": ["p1"],
                 "q-q-order-login": ["2"], "q-q-order-choose": ["1"], "q-q-order-submit": ["3"]}


def import_fixture_course(folder: Path = COURSE_DIR):
    from lms.catalog.services import import_course_directory

    report = import_course_directory(folder)
    assert report.ok, str(report)
    return report


def course():
    from sqlalchemy import select

    from lms.catalog.models import Course
    from lms.extensions import db

    return db.session.scalar(select(Course).where(Course.iri == COURSE_IRI))


def assign(class_id: int, module_keys: list[str] | None = None, opens_in: timedelta = -timedelta(minutes=5),
           due_in: timedelta | None = timedelta(days=7)):
    """Create an assignment directly through the service (the HTTP path has its own tests)."""
    from lms.accounts.models import SchoolClass
    from lms.extensions import db
    from lms.teach.services import create_assignment

    now = datetime.now(timezone.utc)
    return create_assignment(db.session.get(SchoolClass, class_id), course(), module_keys or [], now + opens_in,
                             now + due_in if due_in is not None else None, None, notify=False)


def module_ids() -> dict[str, int]:
    return {m.key: m.id for m in course().modules}


def form_data(answers: dict[str, list[str]]) -> dict:
    data = {"action": "submit"}
    data.update(answers)
    return data


def lrs_reader(client):
    """Basic auth headers of a new LRS credential with read access."""
    from lms.extensions import db
    from xapi.lrs.auth import create_client

    credential, secret = create_client(db.session, "reader", ["statements/read"], "http://lms.test")
    db.session.commit()
    token = base64.b64encode(f"{credential.key}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"}


def statements_of(client, headers: dict, public_id: str, **params) -> list[dict]:
    """Every statement of the learner, oldest first, following ``more`` links."""
    agent = json.dumps({"objectType": "Agent", "account": {"homePage": "http://lms.test", "name": public_id}})
    query = {"agent": agent, "ascending": "true", "limit": "500", **params}
    response = client.get("/xapi/statements", query_string=query, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    result = response.get_json()
    statements = list(result["statements"])
    while result.get("more"):
        response = client.get(result["more"], headers=headers)
        result = response.get_json()
        statements += result["statements"]
    return statements


def verbs(statements: list[dict]) -> list[str]:
    return [s["verb"]["id"].rsplit("/", 1)[-1] for s in statements]


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))
