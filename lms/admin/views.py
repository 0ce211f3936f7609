"""Admin pages: schools, users (search, create, deactivate, reset, role), the audit log; admins only."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.accounts import audit
from lms.accounts.errors import AccountError
from lms.accounts.menu import register_menu_item
from lms.accounts.models import ROLES, School, User
from lms.accounts.viewhelpers import error_text, no_store, request_origin
from lms.admin import services
from lms.admin.forms import ROLE_LABELS, RoleForm, SchoolForm, UserForm, choice
from lms.extensions import db, login_manager

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")

PAGE_SIZE = 50


@bp.before_request
def _admins_only():
    """Every admin page: anonymous users log in first; anyone else is refused, and that is logged."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.role != "admin":
        audit.record(current_user, "admin_access", request_origin(), target=request.path[:200], outcome="denied")
        abort(403)
    return None


@bp.app_context_processor
def _role_labels() -> dict:
    return {"role_labels": ROLE_LABELS}


def _school_choices(form: RoleForm) -> None:
    schools = db.session.scalars(select(School).order_by(School.name)).all()
    form.school_id.choices = [choice(0, _("(no school)"))] + [choice(s.id, f"{s.name} ({s.code})") for s in schools]


def _chosen_school(form: RoleForm) -> School | None:
    return db.session.get(School, form.school_id.data) if form.school_id.data else None


def _page() -> int:
    return max(1, request.args.get("page", 1, type=int) or 1)


@bp.route("/")
def index():
    return render_template("admin/index.html")


@bp.route("/schools", methods=["GET", "POST"])
def schools():
    form = SchoolForm()
    if form.validate_on_submit():
        try:
            school = services.create_school(current_user, request_origin(), form.name.data, form.code.data,
                                            form.province.data or "")
        except AccountError as exc:
            form.code.errors = [*form.code.errors, error_text(exc)]
        else:
            flash(_("School %(name)s created.", name=school.name), "success")
            return redirect(url_for("admin.schools"))
    rows = db.session.scalars(select(School).order_by(School.name).options(selectinload(School.classes))).all()
    return render_template("admin/schools.html", schools=rows, form=form)


@bp.route("/users")
def users():
    role = request.args.get("role", "")
    school_id = request.args.get("school", 0, type=int)
    query = services.search_users(request.args.get("q", ""), role if role in ROLES else "", school_id or None)
    page = db.paginate(query, page=_page(), per_page=PAGE_SIZE, error_out=False)
    schools = db.session.scalars(select(School).order_by(School.name)).all()
    return render_template("admin/users.html", page=page, schools=schools, roles=ROLES)


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    form = UserForm()
    _school_choices(form)
    if form.validate_on_submit():
        try:
            user, password = services.create_account(current_user, request_origin(), form.username.data,
                                                     form.full_name.data, form.email.data, form.role.data,
                                                     _chosen_school(form))
        except AccountError as exc:
            form.username.errors = [*form.username.errors, error_text(exc)]
        else:
            return no_store(current_app.make_response(
                render_template("admin/password_once.html", person=user, password=password, created=True)))
    return render_template("admin/user_new.html", form=form)


def _load_user(user_id: int) -> User:
    return db.get_or_404(User, user_id)


@bp.route("/users/<int:user_id>")
def user_detail(user_id: int):
    user = _load_user(user_id)
    form = RoleForm(role=user.role, school_id=user.school_id or 0)
    _school_choices(form)
    return render_template("admin/user_detail.html", person=user, form=form)


@bp.route("/users/<int:user_id>/role", methods=["POST"])
def change_role(user_id: int):
    user = _load_user(user_id)
    form = RoleForm()
    _school_choices(form)
    if not form.validate_on_submit():
        flash(_("Choose a role and a school from the lists."), "error")
        return redirect(url_for("admin.user_detail", user_id=user_id))
    try:
        services.change_role(current_user, request_origin(), user, form.role.data, _chosen_school(form))
    except AccountError as exc:
        flash(error_text(exc), "error")
    else:
        flash(_("The role of %(username)s was changed.", username=user.username), "success")
    return redirect(url_for("admin.user_detail", user_id=user_id))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
def set_active(user_id: int):
    user = _load_user(user_id)
    active = request.form.get("active") == "1"
    try:
        services.set_active(current_user, request_origin(), user, active)
    except AccountError as exc:
        flash(error_text(exc), "error")
    else:
        flash(_("%(username)s can log in again.", username=user.username) if active
              else _("%(username)s is deactivated and logged out.", username=user.username), "success")
    return redirect(url_for("admin.user_detail", user_id=user_id))


@bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
def reset_password(user_id: int):
    user = _load_user(user_id)
    password = services.reset_password(current_user, request_origin(), user)
    return no_store(current_app.make_response(
        render_template("admin/password_once.html", person=user, password=password, created=False)))


@bp.route("/audit")
def audit_log():
    query = audit.recent(request.args.get("action") or None, request.args.get("actor") or None)
    page = db.paginate(query, page=_page(), per_page=100, error_out=False)
    return render_template("admin/audit.html", page=page)


register_menu_item(("admin",), "admin.index", _l("Administration"), position=800)

from lms.admin import lrs_views  # noqa: E402,F401  (adds the LRS credential pages to ``bp``)
