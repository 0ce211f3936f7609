"""The catalogue for teachers (browse by target group, a course's page, assign it) and the course editor."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.accounts.menu import register_menu_item
from lms.accounts.models import SchoolClass
from lms.accounts.policy import can_manage_class, require, role_required
from lms.activities.registry import activities, get_activity
from lms.catalog import browse, editor
from lms.catalog.labels import TARGET_GROUP_LABELS, digcomp_area_label, digcomp_label
from lms.catalog.models import Course, CourseModule
from lms.extensions import db

bp = Blueprint("catalog", __name__, url_prefix="/catalog", template_folder="templates", static_folder="static",
               static_url_path="/static")
register_menu_item(("admin", "manager", "teacher"), "catalog.index", _l("Courses"), position=40)
STAFF = ("admin", "manager", "teacher")


def _locale() -> str:
    return str(get_locale() or "vi")


def _course(course_id: int, edit: bool = True) -> Course:
    course = db.session.get(Course, course_id)
    if course is None:
        abort(404)
    if edit:
        require(editor.can_edit(current_user, course))
    return course


def _pair(prefix: str) -> dict[str, str]:
    return {"vi": request.form.get(f"{prefix}_vi", ""), "en": request.form.get(f"{prefix}_en", "")}


@bp.route("/")
@role_required(*STAFF)
def index():
    """The catalogue, optionally for one target group (?group=pupils): plain links, no JavaScript."""
    cards = browse.course_cards(_locale())
    group = request.args.get("group", "").strip() or None
    status, bad_group = 200, None
    try:
        shown = browse.for_group(cards, group)
    except browse.UnknownGroup:
        shown, status, bad_group, group = cards, 400, group, None
    return render_template("catalog/index.html", cards=shown, group=group, groups=TARGET_GROUP_LABELS,
                           counts=browse.group_counts(cards), total=len(cards), bad_group=bad_group,
                           digcomp_label=digcomp_label, locale=_locale()), status


@bp.route("/courses/<slug>")
@role_required(*STAFF)
def course(slug: str):
    found = db.first_or_404(select(Course).where(Course.slug == slug))
    return render_template("catalog/course.html", course=found, modules=browse.module_rows(found, _locale()),
                           classes=browse.assignable_classes(current_user),
                           can_edit=editor.can_edit(current_user, found), groups=TARGET_GROUP_LABELS,
                           digcomp_label=digcomp_label, digcomp_area_label=digcomp_area_label, locale=_locale())


@bp.route("/courses/<slug>/assign")
@role_required(*STAFF)
def assign(slug: str):
    """The "Assign to a class" button: on to the class's assign form with this course chosen."""
    found = db.first_or_404(select(Course).where(Course.slug == slug))
    class_id = request.args.get("class_id", type=int)
    school_class = db.session.get(SchoolClass, class_id) if class_id else None
    if school_class is None:
        flash(_("Choose a class."), "error")
        return redirect(url_for("catalog.course", slug=slug, _anchor="assign"))
    require(can_manage_class(current_user, school_class))
    return redirect(url_for("teach.assign", class_id=school_class.id, course_id=found.id))


@bp.route("/manage")
@role_required(*STAFF)
def manage():
    courses = list(db.session.scalars(select(Course).order_by(Course.slug).options(selectinload(Course.modules))))
    editable = {c.id for c in courses if editor.can_edit(current_user, c)}
    return render_template("catalog/manage.html", courses=courses, editable=editable, locale=_locale())


@bp.route("/new", methods=["GET", "POST"])
@role_required(*STAFF)
def new_course():
    problems: list[str] = []
    if request.method == "POST":
        try:
            course = editor.create_course(current_user, request.form.get("slug", ""), _pair("title"), _pair("summary"))
        except editor.EditorError as exc:
            problems = exc.problems
        else:
            flash(_("The course was created."), "success")
            return redirect(url_for("catalog.edit_course", course_id=course.id))
    return render_template("catalog/course_form.html", course=None, problems=problems,
                           locale=_locale()), 400 if problems else 200


@bp.route("/<int:course_id>", methods=["GET", "POST"])
@role_required(*STAFF)
def edit_course(course_id: int):
    course = _course(course_id)
    problems: list[str] = []
    if request.method == "POST":
        try:
            editor.update_course(course, _pair("title"), _pair("summary"))
        except editor.EditorError as exc:
            problems = exc.problems
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("catalog.edit_course", course_id=course.id))
    return render_template("catalog/course_form.html", course=course, problems=problems, types=activities(),
                           locale=_locale()), 400 if problems else 200


def _module_form(course: Course, module: CourseModule | None, module_type: str):
    plugin = get_activity(module_type)
    problems: list[str] = []
    if request.method == "POST":
        files = {k[5:]: v for k, v in request.form.items() if k.startswith("file:")}
        try:
            editor.save_module(course, module, module_type, request.form.get("key", ""), _pair("title"),
                               request.form.get("requires_previous") == "1", request.form.get("settings", ""), files)
        except editor.EditorError as exc:
            problems = exc.problems
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("catalog.edit_course", course_id=course.id))
    if module is not None:
        settings, content, key = module.settings or {}, module.content or {}, module.key
    else:
        key = request.form.get("key") or f"module-{len(course.modules) + 1}"
        settings, content = plugin.new_module_settings(key), {}
    files = editor.module_files(module_type, settings, content)
    if request.method == "POST":
        files = {name: request.form.get(f"file:{name}", text) for name, text in files.items()}
    return render_template("catalog/module_form.html", course=course, module=module, plugin=plugin, key=key,
                           settings=request.form.get("settings") or editor.settings_text(settings), files=files,
                           problems=problems, locale=_locale()), 400 if problems else 200


@bp.route("/<int:course_id>/modules/new/<module_type>", methods=["GET", "POST"])
@role_required(*STAFF)
def new_module(course_id: int, module_type: str):
    course = _course(course_id)
    if module_type not in activities():
        abort(404)
    return _module_form(course, None, module_type)


@bp.route("/<int:course_id>/modules/<int:module_id>", methods=["GET", "POST"])
@role_required(*STAFF)
def edit_module(course_id: int, module_id: int):
    course = _course(course_id)
    module = db.session.get(CourseModule, module_id)
    if module is None or module.course_id != course.id:
        abort(404)
    return _module_form(course, module, module.type)


@bp.route("/<int:course_id>/export.zip")
@role_required(*STAFF)
def export(course_id: int):
    course = _course(course_id, edit=False)
    return Response(editor.export_zip(course), mimetype="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{course.slug}-{course.version}.zip"'})
