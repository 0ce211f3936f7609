"""LRS core: credentials and statements

Revision ID: 20261129_0001
Revises: None
"""
from alembic import op
import sqlalchemy as sa

revision = "20261129_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "lrs_client",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("secret_digest", sa.String(length=128), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("authority", sa.JSON(), nullable=False),
        sa.Column("allowed_origins", sa.JSON(), nullable=False),
        sa.Column("is_system", sa.Boolean(), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lrs_client")),
        sa.UniqueConstraint("key", name=op.f("uq_lrs_client_key")),
    )


def downgrade():
    op.drop_table("lrs_client")
