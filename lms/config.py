"""Configuration: defaults, then the instance config file, then LMS_* environment variables.

This is the only module that reads the environment. Every setting that an
operator may set is listed in ``SETTINGS`` with its type, so a bad value stops
start-up with one clear line instead of failing later.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable, Mapping


class ConfigError(Exception):
    """A setting is missing or has a value of the wrong type."""


def _parse_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected true/false, got {raw!r}")


def _parse_int(raw: str) -> int:
    try:
        return int(raw.strip())
    except ValueError:
        raise ValueError(f"expected a whole number, got {raw!r}") from None


def _parse_str(raw: str) -> str:
    return raw


def _parse_list(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


@dataclass(frozen=True)
class Setting:
    """One LMS_* variable: the Flask config key it fills, its parser and default."""

    key: str
    parse: Callable[[str], Any]
    default: Any
    help: str


SETTINGS: dict[str, Setting] = {
    s.key: s
    for s in [
        Setting("SECRET_KEY", _parse_str, None,
                "Secret used to sign sessions and CSRF tokens. Required by `lms serve`."),
        Setting("DATABASE_URL", _parse_str, None,
                "SQLAlchemy URL. Default: a SQLite file `lms.sqlite3` in the instance folder. "
                "PostgreSQL: postgresql+psycopg://user:password@host/dbname."),
        Setting("SITE_URL", _parse_str, "http://127.0.0.1:5000",
                "Public base URL; used in links, e-mails and as the xAPI account homePage."),
        Setting("REDIS_URL", _parse_str, None,
                "Redis URL for background jobs (e-mail, statement forwarding). "
                "Unset: jobs run inline."),
        Setting("MAIL_SERVER", _parse_str, None, "SMTP host. Unset: no e-mail is sent."),
        Setting("MAIL_PORT", _parse_int, 25, "SMTP port."),
        Setting("MAIL_USERNAME", _parse_str, None, "SMTP user name."),
        Setting("MAIL_PASSWORD", _parse_str, None, "SMTP password."),
        Setting("MAIL_USE_TLS", _parse_bool, False, "Use STARTTLS."),
        Setting("MAIL_USE_SSL", _parse_bool, False, "Use SMTP over TLS."),
        Setting("MAIL_FROM", _parse_str, "Cong dan so <no-reply@localhost>",
                "Sender address of e-mails."),
        Setting("DEFAULT_LOCALE", _parse_str, "vi", "Interface language when none is chosen: vi or en."),
        Setting("SESSION_MINUTES", _parse_int, 120,
                "Lifetime of a login session in minutes (short, for shared lab PCs)."),
        Setting("LRS_MAX_REQUEST_BYTES", _parse_int, 20 * 1024 * 1024,
                "Largest request body the LRS accepts; larger is answered with 413."),
        Setting("LRS_STATEMENTS_LIMIT", _parse_int, 500,
                "Largest page of statements returned by one GET."),
        Setting("LRS_RATE_LIMIT", _parse_int, 0,
                "Requests one LRS credential may make per window; more is answered with 429. 0: no limit."),
        Setting("LRS_RATE_WINDOW_SECONDS", _parse_int, 60, "Length in seconds of the LRS rate-limit window."),
        Setting("LRS_EXPOSE_LEARNER_IDENTITY", _parse_bool, False,
                "Put learners' names and e-mail addresses into the statements the LMS writes."),
        Setting("ACTIVITIES_DISABLED", _parse_list, [],
                "Comma-separated activity plugin names that are installed but not enabled."),
        Setting("TRUSTED_PROXIES", _parse_int, 0,
                "How many reverse proxies (nginx...) stand in front; their X-Forwarded-For/-Proto "
                "headers are trusted so throttling and the audit log see the real client address."),
        Setting("LOG_LEVEL", _parse_str, "INFO", "Log level: DEBUG, INFO, WARNING, ERROR."),
    ]
}

LOCALES = ("vi", "en")


def default_instance_path() -> Path:
    """The instance folder: LMS_INSTANCE_PATH, else ./instance in the working directory."""
    raw = os.environ.get("LMS_INSTANCE_PATH")
    return Path(raw).expanduser().resolve() if raw else (Path.cwd() / "instance").resolve()


def read_environment(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Parse every LMS_* variable we know; unknown LMS_* names are an error, to catch typos."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    known = {f"LMS_{key}" for key in SETTINGS} | {
        "LMS_INSTANCE_PATH", "LMS_TEST_DATABASE_URL", "LMS_TEST_REDIS_URL",
    }
    for name, raw in environ.items():
        if not name.startswith("LMS_"):
            continue
        if name not in known:
            raise ConfigError(f"{name} is not a known setting (see docs/configuration.md)")
        key = name[4:]
        if key not in SETTINGS:
            continue
        try:
            values[key] = SETTINGS[key].parse(raw)
        except ValueError as exc:
            raise ConfigError(f"{name}: {exc}") from None
    return values


def build_config(instance_path: Path, overrides: Mapping[str, Any] | None = None,
                 environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Combine defaults, ``<instance>/lms.cfg``, the environment and explicit overrides."""
    config: dict[str, Any] = {key: s.default for key, s in SETTINGS.items()}
    config_file = instance_path / "lms.cfg"
    if config_file.exists():
        namespace: dict[str, Any] = {}
        try:
            exec(compile(config_file.read_text(encoding="utf-8"), str(config_file), "exec"), namespace)
        except Exception as exc:  # a broken config file must stop start-up with one line
            raise ConfigError(f"{config_file}: {exc.__class__.__name__}: {exc}") from None
        config.update({k: v for k, v in namespace.items() if k.isupper()})
    config.update(read_environment(environ))
    if overrides:
        config.update(overrides)
    if config["DEFAULT_LOCALE"] not in LOCALES:
        raise ConfigError(f"LMS_DEFAULT_LOCALE must be one of {', '.join(LOCALES)}")
    if not config.get("DATABASE_URL"):
        config["DATABASE_URL"] = f"sqlite:///{instance_path / 'lms.sqlite3'}"
    config["SQLALCHEMY_DATABASE_URI"] = config["DATABASE_URL"]
    # Connections are renewed after an hour. Instead of SQLAlchemy's pre-ping (a round trip on
    # every checkout), lms/database.py pings only connections that sat idle in the pool.
    config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": False, "pool_recycle": 3600})
    if not config.get("SECRET_KEY"):
        # Good enough for tests and one-off commands; `lms serve` refuses to run with it.
        config["SECRET_KEY"] = secrets.token_hex(32)
        config["SECRET_KEY_IS_EPHEMERAL"] = True
    config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    config.setdefault("SESSION_COOKIE_SECURE", str(config["SITE_URL"]).startswith("https://"))
    config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    config.setdefault("REMEMBER_COOKIE_SECURE", config["SESSION_COOKIE_SECURE"])
    config.setdefault("MAX_CONTENT_LENGTH", config["LRS_MAX_REQUEST_BYTES"])
    config.setdefault("BABEL_DEFAULT_LOCALE", config["DEFAULT_LOCALE"])
    config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    config.setdefault("PERMANENT_SESSION_LIFETIME", timedelta(minutes=config["SESSION_MINUTES"]))
    return config
