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

    op.create_table(
        "lrs_statement",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("statement_id", sa.String(length=36), nullable=False),
        sa.Column("stored", sa.DateTime(timezone=True), nullable=False),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verb_id", sa.Text(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=True),
        sa.Column("voided", sa.Boolean(), nullable=False),
        sa.Column("voiding", sa.Boolean(), nullable=False),
        sa.Column("ref_target", sa.String(length=36), nullable=True),
        sa.Column("has_attachments", sa.Boolean(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_lrs_statement")),
        sa.UniqueConstraint("statement_id", name=op.f("uq_lrs_statement_statement_id")),
    )
    op.create_index("ix_lrs_statement_stored_seq", "lrs_statement", ["stored", "seq"])
    op.create_index("ix_lrs_statement_client_id_stored_seq", "lrs_statement", ["client_id", "stored", "seq"])
    op.create_index("ix_lrs_statement_ref_target", "lrs_statement", ["ref_target"],
                    postgresql_where=sa.text("ref_target IS NOT NULL"),
                    sqlite_where=sa.text("ref_target IS NOT NULL"))
    op.create_table(
        "lrs_statement_index",
        sa.Column("kind", sa.String(length=1), nullable=False),
        sa.Column("value", sa.String(length=300), nullable=False),
        sa.Column("stored", sa.DateTime(timezone=True), nullable=False),
        sa.Column("statement_seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("kind", "value", "stored", "statement_seq", name=op.f("pk_lrs_statement_index")),
    )
    if op.get_bind().dialect.name == "postgresql":
        # Concurrent writers draw statement numbers here (xapi/lrs/storage.py); SQLite
        # numbers statements under its single write lock instead.
        op.execute("CREATE SEQUENCE lrs_statement_seq AS bigint")
    op.create_table(
        "lrs_attachment",
        sa.Column("sha2", sa.String(length=128), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=False),
        sa.Column("length", sa.BigInteger(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha2", name=op.f("pk_lrs_attachment")),
    )


def downgrade():
    op.drop_table("lrs_attachment")
    op.drop_table("lrs_statement_index")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP SEQUENCE IF EXISTS lrs_statement_seq")
    op.drop_index("ix_lrs_statement_ref_target", table_name="lrs_statement")
    op.drop_index("ix_lrs_statement_client_id_stored_seq", table_name="lrs_statement")
    op.drop_index("ix_lrs_statement_stored_seq", table_name="lrs_statement")
    op.drop_table("lrs_statement")
    op.drop_table("lrs_client")
