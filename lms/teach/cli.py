"""`lms assignments remind`: e-mail reminders for assignments due soon (run it from cron, e.g. hourly)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.group("assignments", help="Assignments: due-date reminders.")
def assignments_group() -> None:
    """Assignment commands."""


@assignments_group.command("remind")
@click.option("--within-hours", default=48, show_default=True, type=int, help="Remind when due within this time.")
@with_appcontext
def remind_command(within_hours: int) -> None:
    """Queue (Redis) or send (inline) reminders for unfinished assignments due soon."""
    from lms.jobs import enqueue

    click.echo(f"reminders: {enqueue('lms.teach.notifications:send_due_reminders', within_hours)}")


commands = [assignments_group]
