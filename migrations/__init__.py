"""The Alembic migration history (one linear chain), shipped inside the package."""
