"""LRS credentials: bare_profile_put, for clients that create profiles without a precondition

Revision ID: 20261130_0006
Revises: 20261129_0005
"""
from alembic import op
import sqlalchemy as sa

revision = "20261130_0006"
down_revision = "20261129_0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("lrs_client") as batch:
        batch.add_column(sa.Column("bare_profile_put", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("lrs_client") as batch:
        batch.drop_column("bare_profile_put")
