"""Demo data for `lms demo`: courses, people, an assignment and an LRS credential."""
from __future__ import annotations

from flask import current_app

from lms.extensions import db


def build_demo() -> str:
    """Fill an empty, migrated database with demo data; returns the report to print."""
    from lms.accounts.demo import build_demo_people
    from lms.setup import import_bundled_courses
    from lms.teach.demo import build_demo_assignment
    from xapi.lrs.auth import create_client

    lines = ["Courses:"]
    lines += [f"  {line}" for line in import_bundled_courses()]
    people = build_demo_people(with_admin=True)
    lines.append(build_demo_assignment(people["class"], people["teacher"]))
    client, secret = create_client(db.session, "Demo analytics", ["all/read", "statements/write", "state", "profile"],
                                   current_app.config["SITE_URL"])
    db.session.commit()

    site = current_app.config["SITE_URL"]
    lines += ["", f"Demo school: {people['school'].name}, class {people['class'].name} "
                  f"(class code {people['class'].code})", "", "Logins (user name / password / role):"]
    for login in people["logins"]:
        lines.append(f"  {login['username']:<12} {login['password']:<12} {login['role']:<8} {login.get('full_name') or ''}")
    lines += ["", "LRS (xAPI) credential for other systems, HTTP Basic:",
              f"  endpoint: {site}/xapi/", f"  key:      {client.key}", f"  secret:   {secret}",
              f"  try:      curl -u {client.key}:{secret} -H 'X-Experience-API-Version: 1.0.3' "
              f"{site}/xapi/statements"]
    return "\n".join(lines)
