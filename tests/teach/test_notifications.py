"""E-mail for new assignments and approaching due dates, through a real SMTP server (aiosmtpd) on 127.0.0.1."""
from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller

from tests.accounts.factories import login
from tests.learn.helpers import assign, course, import_fixture_course
from tests.ports import free_port


class Inbox:
    """aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def subjects(self) -> list[str]:
        return [str(make_header(decode_header(m["Subject"]))) for m in self.messages]

    def recipients(self) -> list[str]:
        return sorted(m["To"] for m in self.messages)


@pytest.fixture()
def inbox(app):
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    saved = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    yield handler
    app.config.update(saved)
    controller.stop()


def _give_emails(world) -> None:
    from lms.accounts.models import User
    from lms.extensions import db

    db.session.get(User, world.user_ids["student"]).email = "hocsinh1@example.org"
    db.session.get(User, world.user_ids["other_student"]).email = "hocsinh2@example.org"
    db.session.commit()


def test_new_assignment_mails_students_with_an_address(client, world, inbox):
    import_fixture_course()
    _give_emails(world)
    login(client, world.usernames["own_teacher"])
    response = client.post(f"/teach/classes/{world.class_a_id}/assign",
                           data={"course_id": course().id, "opens_on": "2024-01-01", "due_on": "2099-01-31"})
    assert response.status_code == 302
    assert inbox.recipients() == ["hocsinh1@example.org"]  # the other student is in another class
    assert inbox.subjects() == ["Bài mới được giao: Kiến thức công dân số cơ bản"]
    body = inbox.messages[0].get_payload(decode=True).decode("utf-8")
    assert "Chào Học Sinh Một," in body and "31/01/2099 23:59" in body and "http://lms.test/learn/assignments/" in body


def test_due_date_reminder_once_and_only_for_unfinished(db, world, inbox):
    from lms.teach.notifications import send_due_reminders

    import_fixture_course()
    _give_emails(world)
    assign(world.class_a_id, due_in=timedelta(hours=20))
    assign(world.class_b_id, due_in=timedelta(days=10))  # not due soon
    assert send_due_reminders(within_hours=48) == 1
    assert inbox.recipients() == ["hocsinh1@example.org"]
    assert inbox.subjects()[0].startswith("Nhắc nhở: sắp đến hạn nộp")
    assert send_due_reminders(within_hours=48) == 0
    later = datetime.now(timezone.utc) + timedelta(days=9, hours=12)
    assert send_due_reminders(within_hours=48, now=later) == 1
    assert inbox.recipients() == ["hocsinh1@example.org", "hocsinh2@example.org"]


def test_no_mail_without_smtp_settings(db, world):
    from lms.teach.notifications import notify_new_assignment

    import_fixture_course()
    _give_emails(world)
    assignment = assign(world.class_a_id)
    assert notify_new_assignment(assignment.id) == 0


REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL")


@pytest.mark.skipif(not REDIS_URL, reason="LMS_TEST_REDIS_URL is not set (CI sets it)")
def test_jobs_go_through_redis_when_configured(app, db, world, inbox):
    """With REDIS_URL the job is queued, and a worker sends the mail."""
    from rq import SimpleWorker

    import lms.jobs as jobs

    import_fixture_course()
    _give_emails(world)
    app.config["REDIS_URL"] = REDIS_URL
    try:
        queue = jobs.queue(REDIS_URL)
        queue.empty()
        assignment = assign(world.class_a_id)
        from lms.jobs import enqueue

        assert enqueue("lms.teach.notifications:notify_new_assignment", assignment.id) == "queued"
        assert inbox.messages == [] and queue.count == 1
        jobs._worker_app = app  # the worker runs jobs in this test's application
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
    finally:
        app.config["REDIS_URL"] = None
        jobs._worker_app = None
    assert inbox.recipients() == ["hocsinh1@example.org"]
