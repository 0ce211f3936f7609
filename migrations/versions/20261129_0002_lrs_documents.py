"""LRS documents: state, activity and agent profiles

Revision ID: 20261129_0002
Revises: 20261129_0001
"""
from alembic import op
import sqlalchemy as sa

revision = "20261129_0002"
down_revision = "20261129_0001"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
