"""The `lms` command as an operator runs it: a real process, a real database."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

LMS = [sys.executable, "-c", "from lms.cli import main; main()"]


def run_lms(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    clean.update(env)
    return subprocess.run(LMS + args, env=clean, cwd=cwd, capture_output=True, text=True, timeout=300)


def test_unknown_variable_type_stops_with_one_line(tmp_path):
    result = run_lms(["init"], {"LMS_MAIL_PORT": "twenty-five", "LMS_INSTANCE_PATH": str(tmp_path)}, tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == ["lms: error: LMS_MAIL_PORT: expected a whole number, got 'twenty-five'"]


def test_unreachable_database_stops_with_one_line(tmp_path):
    env = {"LMS_DATABASE_URL": "postgresql+psycopg://nobody:secret@127.0.0.1:1/none",
           "LMS_INSTANCE_PATH": str(tmp_path)}
    result = run_lms(["init", "--no-courses"], env, tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lms: error: cannot reach the database")
    assert "secret" not in lines[0]


def test_lrs_client_commands_on_a_database_not_created_stop_with_one_line(tmp_path):
    result = run_lms(["lrs", "client", "create", "lms-khac", "--scope", "all", "--json"],
                     {"LMS_INSTANCE_PATH": str(tmp_path)}, tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == \
        "lms: error: the database schema is not up to date; run `lms init` first"
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_serve_refuses_without_secret_key(tmp_path):
    result = run_lms(["serve"], {"LMS_INSTANCE_PATH": str(tmp_path)}, tmp_path)
    assert result.returncode == 2
    assert "LMS_SECRET_KEY is not set" in result.stderr


@pytest.fixture()
def empty_database(tmp_path):
    """A new empty database of the kind the suite runs on (PostgreSQL when configured)."""
    base = os.environ.get("LMS_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'init.sqlite3'}"
        return
    name = f"lms_init_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(base).set(database=name)
    yield url.render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _schema_snapshot(url: str) -> dict:
    engine = sa.create_engine(url)
    inspector = sa.inspect(engine)
    snapshot = {}
    with engine.connect() as connection:
        for table in sorted(inspector.get_table_names()):
            columns = [(c["name"], str(c["type"])) for c in inspector.get_columns(table)]
            rows = connection.execute(sa.text(f'SELECT COUNT(*) FROM "{table}"')).scalar()
            snapshot[table] = (columns, rows)
    engine.dispose()
    return snapshot


def test_init_creates_full_schema_and_twice_changes_nothing(empty_database, tmp_path):
    env = {"LMS_DATABASE_URL": empty_database, "LMS_INSTANCE_PATH": str(tmp_path)}
    args = ["init", "--admin-username", "admin", "--admin-password", "Quang-Ninh-2026"]
    first = run_lms(args, env, tmp_path)
    assert first.returncode == 0, first.stderr
    after_first = _schema_snapshot(empty_database)
    assert {"alembic_version", "lrs_client", "user_account"} <= set(after_first)
    second = run_lms(args, env, tmp_path)
    assert second.returncode == 0, second.stderr
    assert "already exists" in second.stdout
    assert _schema_snapshot(empty_database) == after_first


def test_lrs_client_create_with_bare_profile_put(tmp_path):
    """`lms lrs client create --bare-profile-put`: the flag is stored and listed (see documents.py)."""
    env = {"LMS_INSTANCE_PATH": str(tmp_path)}
    assert run_lms(["init", "--no-courses"], env, tmp_path).returncode == 0
    created = run_lms(["lrs", "client", "create", "lms-tincan", "--scope", "all", "--bare-profile-put", "--json"],
                      env, tmp_path)
    assert created.returncode == 0, created.stderr
    key = json.loads(created.stdout)["key"]
    plain = run_lms(["lrs", "client", "create", "lms-khac", "--scope", "all", "--json"], env, tmp_path)
    listed = {row["key"]: row for row in json.loads(run_lms(["lrs", "client", "list", "--json"], env, tmp_path).stdout)}
    assert listed[key]["bare_profile_put"] is True
    assert listed[json.loads(plain.stdout)["key"]]["bare_profile_put"] is False
    text = run_lms(["lrs", "client", "list"], env, tmp_path).stdout
    assert [line for line in text.splitlines() if "bare-profile-put" in line] == \
        [line for line in text.splitlines() if line.startswith(key)]
