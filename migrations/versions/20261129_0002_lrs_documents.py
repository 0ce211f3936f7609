"""LRS documents: state, activity and agent profiles; canonical activities and agents

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
    op.create_table(
        "lrs_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("activity_id", sa.Text(), nullable=True),
        sa.Column("agent_key", sa.Text(), nullable=True),
        sa.Column("registration", sa.String(length=36), nullable=True),
        sa.Column("document_id", sa.Text(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=False),
        sa.Column("etag", sa.String(length=40), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lrs_document")),
        sa.UniqueConstraint("key", name=op.f("uq_lrs_document_key")),
    )
    op.create_index(op.f("ix_lrs_document_scope"), "lrs_document", ["scope"], unique=False)
    op.create_table(
        "lrs_activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("activity_id", sa.Text(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=True),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lrs_activity")),
        sa.UniqueConstraint("key", name=op.f("uq_lrs_activity_key")),
    )
    op.create_table(
        "lrs_agent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("ifi", sa.JSON(), nullable=False),
        sa.Column("names", sa.JSON(), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lrs_agent")),
        sa.UniqueConstraint("key", name=op.f("uq_lrs_agent_key")),
    )


def downgrade():
    op.drop_table("lrs_agent")
    op.drop_table("lrs_activity")
    op.drop_index(op.f("ix_lrs_document_scope"), table_name="lrs_document")
    op.drop_table("lrs_document")
