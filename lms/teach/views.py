"""Teachers' pages: classes and their assignments, assigning a course, the gradebook and its CSV."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select

from lms.accounts.menu import register_menu_item
from lms.accounts.models import SchoolClass
from lms.accounts.policy import can_manage_class, require, role_required
from lms.catalog.browse import assignable_classes
from lms.catalog.models import Course
from lms.extensions import db
from lms.teach import services
from lms.teach.models import Assignment
from lms.teach.schemas import parse_assignment_form

bp = Blueprint("teach", __name__, url_prefix="/teach", template_folder="templates")
register_menu_item(("admin", "manager", "teacher"), "teach.index", _l("Assignments"), position=30)
STAFF = ("admin", "manager", "teacher")


def _locale() -> str:
    return str(get_locale() or "vi")


def _managed_class(class_id: int) -> SchoolClass:
    school_class = db.session.get(SchoolClass, class_id)
    if school_class is None:
        abort(404)
    require(can_manage_class(current_user, school_class))
    return school_class


def _managed_assignment(assignment_id: int) -> Assignment:
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None:
        abort(404)
    require(can_manage_class(current_user, assignment.school_class))
    return assignment


@bp.route("/")
@role_required(*STAFF)
def index():
    classes = assignable_classes(current_user)
    assignments = services.class_assignments(classes)
    return render_template("teach/index.html", classes=[(c, assignments[c.id]) for c in classes],
                           locale=_locale())


@bp.route("/classes/<int:class_id>/assign", methods=["GET", "POST"])
@role_required(*STAFF)
def assign(class_id: int):
    school_class = _managed_class(class_id)
    courses = list(db.session.scalars(select(Course).order_by(Course.slug)))
    chosen = db.session.get(Course, request.values.get("course_id", type=int) or 0)
    errors: dict = {}
    if request.method == "POST":
        try:
            data = parse_assignment_form(request.form.to_dict(flat=False))
            course = db.session.get(Course, data["course_id"])
            if course is None:
                raise ValidationError({"course_id": ["Unknown course"]})
            services.create_assignment(school_class, course, data["modules"], data["opens_at"], data["due_at"],
                                       current_user)
        except ValidationError as exc:
            errors = exc.messages if isinstance(exc.messages, dict) else {"_": exc.messages}
        except services.AssignmentError as exc:
            errors = {"_": [str(exc)]}
        else:
            flash(_("The course was assigned to the class."), "success")
            return redirect(url_for("teach.index"))
    return render_template("teach/assign.html", school_class=school_class, courses=courses, course=chosen,
                           errors=errors, today=date.today().isoformat(), locale=_locale()), 400 if errors else 200


@bp.route("/assignments/<int:assignment_id>")
@role_required(*STAFF)
def gradebook(assignment_id: int):
    assignment = _managed_assignment(assignment_id)
    return render_template("teach/gradebook.html", book=services.gradebook(assignment), locale=_locale())


@bp.route("/assignments/<int:assignment_id>/gradebook.csv")
@role_required(*STAFF)
def gradebook_csv(assignment_id: int):
    assignment = _managed_assignment(assignment_id)
    text = services.gradebook_csv(services.gradebook(assignment), _locale())
    name = f"gradebook-{assignment.school_class.code or assignment.class_id}-{assignment.course.slug}.csv"
    # The BOM makes spreadsheet programs read the Vietnamese names as UTF-8.
    return Response("\ufeff" + text, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
