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
    op.create_table(
        "course",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("iri", sa.String(length=500), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("objectives", sa.JSON(), nullable=False),
        sa.Column("estimated_minutes", sa.Integer(), nullable=False),
        sa.Column("target_groups", sa.JSON(), nullable=False),
        sa.Column("digcomp", sa.JSON(), nullable=False),
        sa.Column("vn_skills", sa.JSON(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"],
                                name=op.f("fk_course_created_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course")),
        sa.UniqueConstraint("iri", name=op.f("uq_course_iri")),
        sa.UniqueConstraint("slug", name=op.f("uq_course_slug")),
    )
    op.create_table(
        "course_module",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("estimated_minutes", sa.Integer(), nullable=False),
        sa.Column("requires_previous", sa.Boolean(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"], name=op.f("fk_course_module_course_id_course")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_module")),
        sa.UniqueConstraint("course_id", "key", name=op.f("uq_course_module_course_id")),
    )
    op.create_index(op.f("ix_course_module_course_id"), "course_module", ["course_id"])
    op.create_table(
        "course_asset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("content_type", sa.String(length=120), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"], name=op.f("fk_course_asset_course_id_course")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_asset")),
        sa.UniqueConstraint("course_id", "path", name=op.f("uq_course_asset_course_id")),
    )
    op.create_index(op.f("ix_course_asset_course_id"), "course_asset", ["course_id"])
    op.create_table(
        "enrolment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("registration", sa.String(length=36), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_module_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_enrolment_user_id_user_account")),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"], name=op.f("fk_enrolment_course_id_course")),
        sa.ForeignKeyConstraint(["last_module_id"], ["course_module.id"],
                                name=op.f("fk_enrolment_last_module_id_course_module")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolment")),
        sa.UniqueConstraint("user_id", "course_id", name=op.f("uq_enrolment_user_id")),
        sa.UniqueConstraint("registration", name=op.f("uq_enrolment_registration")),
    )
    op.create_index(op.f("ix_enrolment_user_id"), "enrolment", ["user_id"])
    op.create_index(op.f("ix_enrolment_course_id"), "enrolment", ["course_id"])
    op.create_table(
        "module_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("acknowledged", sa.Boolean(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("best_scaled", sa.Float(), nullable=True),
        sa.Column("last_scaled", sa.Float(), nullable=True),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("session_open", sa.Boolean(), nullable=False),
        sa.Column("session_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["enrolment_id"], ["enrolment.id"],
                                name=op.f("fk_module_progress_enrolment_id_enrolment")),
        sa.ForeignKeyConstraint(["module_id"], ["course_module.id"],
                                name=op.f("fk_module_progress_module_id_course_module")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_module_progress")),
        sa.UniqueConstraint("enrolment_id", "module_id", name=op.f("uq_module_progress_enrolment_id")),
    )
    op.create_index(op.f("ix_module_progress_module_id"), "module_progress", ["module_id"])
    op.create_table(
        "attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("progress_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("score_raw", sa.Float(), nullable=True),
        sa.Column("score_max", sa.Float(), nullable=True),
        sa.Column("scaled", sa.Float(), nullable=True),
        sa.Column("success", sa.Boolean(), nullable=True),
        sa.Column("response", sa.JSON(), nullable=True),
        sa.Column("results", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["progress_id"], ["module_progress.id"],
                                name=op.f("fk_attempt_progress_id_module_progress")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attempt")),
        sa.UniqueConstraint("progress_id", "number", name=op.f("uq_attempt_progress_id")),
    )
    op.create_table(
        "assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("module_keys", sa.JSON(), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["class_id"], ["school_class.id"], name=op.f("fk_assignment_class_id_school_class")),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"], name=op.f("fk_assignment_course_id_course")),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"],
                                name=op.f("fk_assignment_created_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment")),
    )
    op.create_index(op.f("ix_assignment_class_id"), "assignment", ["class_id"])
    op.create_index(op.f("ix_assignment_course_id"), "assignment", ["course_id"])


def downgrade():
    op.drop_table("assignment")
    op.drop_table("attempt")
    op.drop_table("module_progress")
    op.drop_table("enrolment")
    op.drop_table("course_asset")
    op.drop_table("course_module")
    op.drop_table("course")
