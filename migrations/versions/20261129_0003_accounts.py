"""Accounts: users, schools, classes, audit log

Revision ID: 20261129_0003
Revises: 20261129_0002
"""
from alembic import op
import sqlalchemy as sa

revision = "20261129_0003"
down_revision = "20261129_0002"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
