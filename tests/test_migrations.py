"""Models and the Alembic history agree, on whichever database the suite runs against."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext


def test_models_and_migrations_agree(app, db):
    from xapi.lrs.models import Base

    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, [db.metadata, Base.metadata])
    assert differences == [], f"models differ from migrations: {differences}"


def test_history_is_linear(app):
    from alembic.script import ScriptDirectory

    with app.app_context():
        script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
        assert len(script.get_heads()) == 1
        for revision in script.walk_revisions():
            assert revision.is_merge_point is False
