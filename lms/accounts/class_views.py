"""Classes: list, create, roster (one by one or CSV), printable login cards, CSV export, password resets."""
from __future__ import annotations

import csv
import io

import segno
from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.accounts import audit, passwords, policy, services
from lms.accounts.errors import AccountError
from lms.accounts.forms import ClassForm, RosterForm, StudentForm, TeacherForm
from lms.accounts.menu import register_menu_item
from lms.accounts.models import SchoolClass, User
from lms.accounts.viewhelpers import error_text, no_store, request_origin
from lms.accounts.views import bp
from lms.extensions import db

CLASS_CREATORS = ("teacher", "manager", "admin")


def _load_class(class_id: int) -> SchoolClass:
    return db.get_or_404(SchoolClass, class_id)


def _managed_class(class_id: int) -> SchoolClass:
    school_class = _load_class(class_id)
    policy.require(policy.can_manage_class(current_user, school_class))
    return school_class


@bp.route("/classes")
@login_required
def classes():
    rows = db.session.scalars(policy.visible_classes(current_user).options(selectinload(SchoolClass.school))).all()
    return render_template("accounts/classes.html", classes=rows,
                           can_create=current_user.role in CLASS_CREATORS)


def _teacher_for_new_class(form: ClassForm) -> User:
    """Teachers teach what they create; managers and admins name the teacher."""
    if current_user.role == "teacher":
        return current_user._get_current_object()
    teacher = services.find_by_login(form.teacher.data or "")
    if teacher is None or teacher.role != "teacher":
        raise AccountError("Give the username of a teacher.")
    if current_user.role == "manager" and teacher.school_id != current_user.school_id:
        raise AccountError("This teacher is not in your school.")
    return teacher


@bp.route("/classes/new", methods=["GET", "POST"])
@policy.role_required(*CLASS_CREATORS)
def new_class():
    form = ClassForm()
    if form.validate_on_submit():
        try:
            teacher = _teacher_for_new_class(form)
            if teacher.school is None:
                raise AccountError("The teacher does not belong to a school yet; ask an administrator.")
            school_class = audit.audited(
                current_user, "class_create", request_origin(), f"school:{teacher.school.code}",
                lambda: services.create_class(teacher.school, form.name.data, teacher,
                                              school_year=form.school_year.data or "", commit=False))
        except AccountError as exc:
            form.name.errors = [*form.name.errors, error_text(exc)]
        else:
            flash(_("Class %(name)s created. Its code is %(code)s.", name=school_class.name,
                    code=school_class.code), "success")
            return redirect(url_for("accounts.class_detail", class_id=school_class.id))
    return render_template("accounts/class_new.html", form=form)


@bp.route("/classes/<int:class_id>")
@login_required
def class_detail(class_id: int):
    school_class = _load_class(class_id)
    policy.require(policy.can_view_class(current_user, school_class))
    manage = policy.can_manage_class(current_user, school_class)
    return render_template("accounts/class_detail.html", school_class=school_class, manage=manage,
                           student_form=StudentForm(), teacher_form=TeacherForm())


@bp.route("/classes/<int:class_id>/students", methods=["POST"])
@login_required
def add_student(class_id: int):
    school_class = _managed_class(class_id)
    form = StudentForm()
    if not form.validate_on_submit():
        flash(_("Please check the student's details: %(problems)s",
                problems="; ".join(f"{form[name].label.text}: {' '.join(errs)}" for name, errs in form.errors.items())),
              "error")
        return redirect(url_for("accounts.class_detail", class_id=class_id))
    try:
        user, _password = audit.audited(
            current_user, "student_add", request_origin(), f"class:{school_class.code}",
            lambda: services.add_student(school_class, form.full_name.data, form.username.data, form.email.data,
                                         form.date_of_birth.data, commit=False))
    except AccountError as exc:
        flash(error_text(exc), "error")
    else:
        flash(_("%(name)s was added with the username %(username)s. Print the login cards to hand out the "
                "first password.", name=user.full_name, username=user.username), "success")
    return redirect(url_for("accounts.class_detail", class_id=class_id))


def _uploaded_text(form: RosterForm) -> str:
    upload = form.csv_file.data
    if upload and getattr(upload, "filename", ""):
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise AccountError("The file is not UTF-8 text. In LibreOffice Calc choose "
                               "'Save as' CSV with the character set Unicode (UTF-8).") from None
    return form.csv_text.data or ""


@bp.route("/classes/<int:class_id>/roster", methods=["GET", "POST"])
@login_required
def import_roster(class_id: int):
    school_class = _managed_class(class_id)
    form = RosterForm()
    if not form.validate_on_submit():
        return render_template("accounts/roster.html", school_class=school_class, form=form, result=None)
    try:
        text = _uploaded_text(form)
    except AccountError as exc:
        form.csv_file.errors = [error_text(exc)]
        return render_template("accounts/roster.html", school_class=school_class, form=form, result=None), 400
    result = services.import_roster(school_class, text, commit=False)
    origin = request_origin()
    if not result.ok:
        db.session.rollback()
        audit.record(current_user, "roster_import", origin, f"class:{school_class.code}", "failed",
                     {"rejected_rows": len(result.errors)})
        return render_template("accounts/roster.html", school_class=school_class, form=form, result=result), 400
    audit.record(current_user, "roster_import", origin, f"class:{school_class.code}", "ok",
                 {"created": len(result.created)})
    flash(_("%(count)s students were added. Print the login cards now.", count=len(result.created)), "success")
    return redirect(url_for("accounts.login_cards", class_id=class_id))


@bp.route("/classes/<int:class_id>/teachers", methods=["POST"])
@login_required
def add_teacher(class_id: int):
    school_class = _managed_class(class_id)
    form = TeacherForm()
    teacher = services.find_by_login(form.username.data or "") if form.validate_on_submit() else None
    try:
        if teacher is None:
            raise AccountError("Give the username of a teacher.")
        audit.audited(current_user, "class_add_teacher", request_origin(), f"class:{school_class.code}",
                      lambda: services.add_teacher(school_class, teacher, commit=False),
                      details={"teacher": teacher.username})
    except AccountError as exc:
        flash(error_text(exc), "error")
    return redirect(url_for("accounts.class_detail", class_id=class_id))


def _login_qr(username: str) -> Markup:
    url = current_app.config["SITE_URL"].rstrip("/") + url_for("accounts.login", u=username)
    # Inline SVG: no image request per card, prints sharply, allowed by the page's CSP.
    return Markup(segno.make(url, error="m").svg_inline(scale=3, omitsize=False))


@bp.route("/classes/<int:class_id>/cards")
@login_required
def login_cards(class_id: int):
    school_class = _managed_class(class_id)
    login_url = current_app.config["SITE_URL"].rstrip("/") + url_for("accounts.login")
    cards = [{"student": s, "qr": _login_qr(s.username),
              "password": passwords.decrypt_first_password(s.initial_password_encrypted)
              if s.must_change_password else None}
             for s in school_class.students]
    return no_store(current_app.make_response(render_template(
        "accounts/cards.html", school_class=school_class, cards=cards, login_url=login_url)))


@bp.route("/classes/<int:class_id>/students.csv")
@login_required
def export_students(class_id: int):
    """The class list for a spreadsheet; never any password."""
    school_class = _managed_class(class_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["full_name", "username", "email", "date_of_birth", "class_code"])
    for student in school_class.students:
        writer.writerow([student.full_name, student.username, student.email or "",
                         student.date_of_birth.isoformat() if student.date_of_birth else "", school_class.code])
    filename = f"class-{school_class.code}.csv"
    return Response("\ufeff" + buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _student_of(school_class: SchoolClass, public_id: str) -> User:
    student = db.first_or_404(select(User).where(User.public_id == public_id))
    if student not in school_class.students:
        abort(404)
    return student


@bp.route("/classes/<int:class_id>/students/<public_id>/reset-password", methods=["POST"])
@login_required
def reset_student_password(class_id: int, public_id: str):
    school_class = _managed_class(class_id)
    student = _student_of(school_class, public_id)
    audit.audited(current_user, "password_reset", request_origin(), f"user:{student.username}",
                  lambda: services.reset_password(student, commit=False))
    flash(_("A new first password was made for %(name)s; it is on the login cards.", name=student.full_name),
          "success")
    return redirect(url_for("accounts.class_detail", class_id=class_id))


@bp.route("/classes/<int:class_id>/students/<public_id>/remove", methods=["POST"])
@login_required
def remove_student(class_id: int, public_id: str):
    school_class = _managed_class(class_id)
    student = _student_of(school_class, public_id)
    audit.audited(current_user, "class_remove_student", request_origin(), f"class:{school_class.code}",
                  lambda: services.remove_student(school_class, student, commit=False),
                  details={"student": student.username})
    flash(_("%(name)s was taken out of the class.", name=student.full_name), "success")
    return redirect(url_for("accounts.class_detail", class_id=class_id))


register_menu_item(("admin", "manager", "teacher"), "accounts.classes", _l("Classes"), position=50)


@bp.route("/school")
@policy.role_required("manager")
def my_school():
    """A school manager's overview: the school's teachers and its classes."""
    school = current_user.school
    if school is None:
        abort(404)
    teachers = db.session.scalars(select(User).where(User.school_id == school.id, User.role == "teacher")
                                  .order_by(User.full_name)).all()
    rows = db.session.scalars(policy.visible_classes(current_user)).all()
    return render_template("accounts/school.html", school=school, teachers=teachers, classes=rows)


register_menu_item(("manager",), "accounts.my_school", _l("My school"), position=40)
