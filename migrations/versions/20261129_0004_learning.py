"""Learning: courses, modules, assignments, progress

Revision ID: 20261129_0004
Revises: 20261129_0003
"""
from alembic import op
import sqlalchemy as sa

revision = "20261129_0004"
down_revision = "20261129_0003"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
