"""The ``lms`` command: init, demo, serve, db, and the feature command groups."""
from __future__ import annotations

import importlib
import os
import secrets
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from lms.config import ConfigError

# Modules that each define ``commands``: a list of click commands or groups added to ``lms``.
COMMAND_MODULES = (
    "lms.admin.cli",
    "lms.catalog.cli",
    "lms.teach.cli",
    "lms.bench.cli",
)


def _create_app() -> Flask:
    from lms import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False, load_dotenv=False,
             set_debug_flag=False, help="Công dân số: the e-citizen learning platform and its LRS.")
def cli() -> None:
    """The root group; commands below."""


def fail(message: str) -> None:
    """Stop with one clear line on stderr and exit status 2."""
    click.echo(f"lms: error: {message}", err=True)
    sys.exit(2)


def ensure_database_ready(upgrade: bool) -> None:
    """Check the database answers; with ``upgrade`` bring the schema to the newest revision."""
    from flask_migrate import upgrade as migrate_upgrade

    from lms.database import check_connection
    from lms.extensions import db

    check_connection(db.engine)
    if upgrade:
        migrate_upgrade()


def schema_is_current() -> bool:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from lms.extensions import db

    script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current == set(script.get_heads())


def require_current_schema() -> None:
    """For commands that read or write the database: stop with one clear line when it cannot
    be reached or has not been created or upgraded (instead of an SQL traceback)."""
    try:
        ensure_database_ready(upgrade=False)
    except ConfigError as exc:
        fail(str(exc))
    if not schema_is_current():
        fail("the database schema is not up to date; run `lms init` first")


@cli.command("init")
@click.option("--admin-username", help="User name of the first administrator.")
@click.option("--admin-password", help="Password of the first administrator (prompted if missing).")
@click.option("--no-courses", is_flag=True, help="Do not import the bundled course packages.")
@with_appcontext
def init_command(admin_username: str | None, admin_password: str | None, no_courses: bool) -> None:
    """Create or upgrade the database, import the courses and create the first admin.

    Running it again is safe: the schema is upgraded only when needed, courses are
    re-imported idempotently and an existing admin is left as it is.
    """
    from lms.setup import create_first_admin, import_bundled_courses

    try:
        ensure_database_ready(upgrade=True)
    except ConfigError as exc:
        fail(str(exc))
    click.echo("Database schema is up to date.")
    if not no_courses:
        for line in import_bundled_courses():
            click.echo(line)
    message = create_first_admin(admin_username, admin_password, prompt=sys.stdin.isatty())
    click.echo(message)


@cli.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Prepare the demo database and print the logins only.")
def demo_command(host: str, port: int, no_serve: bool) -> None:
    """Fresh SQLite database with demo school, class, courses and logins, then serve it."""
    from lms import create_app
    from lms.config import default_instance_path
    from lms.demo import build_demo

    instance = default_instance_path()
    instance.mkdir(parents=True, exist_ok=True)
    database = instance / "demo.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    key_file = instance / "demo-secret-key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    site_url = f"http://{host}:{port}"
    try:
        app = create_app({"DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": key_file.read_text().strip(),
                          "SITE_URL": os.environ.get("LMS_SITE_URL", site_url)})
    except ConfigError as exc:
        fail(str(exc))
    with app.app_context():
        ensure_database_ready(upgrade=True)
        report = build_demo()
    click.echo(report)
    click.echo(f"\nOpen {site_url}/ in a browser. The LRS is at {site_url}/xapi/ . Stop with Ctrl+C.")
    if not no_serve:
        # Not app.run(): Flask ignores it inside its own CLI.
        from werkzeug.serving import run_simple

        run_simple(host, port, app, use_reloader=False, use_debugger=False, threaded=True)


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="gunicorn worker processes.")
@click.option("--threads", default=4, show_default=True, type=int, help="Threads per worker.")
@click.option("--access-log", default=None, help="Write an access log line per request to this file ('-': stdout).")
@with_appcontext
def serve_command(host: str, port: int, workers: int, threads: int, access_log: str | None) -> None:
    """Production server: gunicorn (where available) serving the application."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("SECRET_KEY_IS_EPHEMERAL"):
        fail("LMS_SECRET_KEY is not set; a production server needs a fixed secret key "
             "(for example: export LMS_SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))'))")
    require_current_schema()
    from lms.server import run_server

    run_server(host=host, port=port, workers=workers, threads=threads, access_log=access_log)


@cli.command("worker")
@click.option("--burst", is_flag=True, help="Run the queued jobs, then stop.")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Run background jobs (e-mail, statement forwarding) from the Redis queue."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        fail("LMS_REDIS_URL is not set: without Redis, jobs run inline and no worker is needed")
    from lms.jobs import run_worker

    run_worker(url, burst=burst)


def _add_feature_commands() -> None:
    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        for command in module.commands:
            cli.add_command(command)


_add_feature_commands()


def main() -> None:
    """Console entry point: configuration errors become one line, not a traceback."""
    try:
        cli.main(prog_name="lms")
    except ConfigError as exc:
        fail(str(exc))
