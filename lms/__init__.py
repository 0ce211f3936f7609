"""Công dân số: the learning platform (Flask application factory)."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Mapping

from flask import Flask

from lms.config import build_config, default_instance_path

# Feature blueprints, registered in this order (explicit: no discovery by import side effects).
BLUEPRINT_MODULES = (
    "lms.site.views",
    "lms.accounts.views",
    "lms.catalog.views",
    "lms.learn.views",
    "lms.teach.views",
    "lms.admin.views",
)

# Modules whose models join the metadata (Alembic and the model/migration test read it).
MODEL_MODULES = (
    "xapi.lrs.models",
    "xapi.lrs.document_models",
    "lms.accounts.models",
    "lms.catalog.models",
    "lms.learn.models",
    "lms.teach.models",
)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: config -> extensions -> blueprints -> LRS -> plugins."""
    import importlib

    config = dict(config or {})
    instance_path = Path(config.pop("INSTANCE_PATH", None) or default_instance_path())
    instance_path.mkdir(parents=True, exist_ok=True)
    app = Flask(__name__, instance_path=str(instance_path), instance_relative_config=True)
    app.config.update(build_config(instance_path, config))
    logging.basicConfig(level=app.config["LOG_LEVEL"])
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    for name in MODEL_MODULES:
        importlib.import_module(name)

    from lms import database, i18n, security
    from lms.extensions import csrf, db, login_manager, migrate

    database.configure_engine_events()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(database.migrations_directory()))
    login_manager.init_app(app)
    csrf.init_app(app)
    i18n.init_app(app)
    security.init_app(app)

    for name in BLUEPRINT_MODULES:
        module = importlib.import_module(name)
        app.register_blueprint(module.bp)

    from xapi.lrs.http import init_lrs

    init_lrs(app, session=lambda: db.session)
    # Machine clients authenticate with Basic credentials, never with the session cookie,
    # so the LRS is outside CSRF protection (and session cookies are ignored there).
    from xapi.lrs.http import bp as lrs_bp

    csrf.exempt(lrs_bp)

    from lms.activities.registry import load_activities

    load_activities(app)
    return app
