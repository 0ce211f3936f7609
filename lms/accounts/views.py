"""Login, logout, password change and the user's own page; the session rules live here too."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from lms.accounts import audit, passwords, policy, services, throttle
from lms.accounts.errors import AccountError
from lms.accounts.forms import ChangePasswordForm, LoginForm
from lms.accounts.menu import menu_for, register_menu_item
from lms.accounts.models import User
from lms.accounts.viewhelpers import error_text, request_origin, safe_next
from lms.config import LOCALES
from lms.extensions import db, login_manager

bp = Blueprint("accounts", __name__, url_prefix="", template_folder="templates")

# Where a user who must change the password may still go.
_OPEN_DURING_FORCED_CHANGE = {"accounts.change_password", "accounts.logout", "accounts.login",
                              "static", "site.set_language", "site.healthz"}


@bp.record_once
def _configure(state) -> None:  # noqa: ANN001
    app = state.app
    app.permanent_session_lifetime = timedelta(minutes=app.config["SESSION_MINUTES"])
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"


@login_manager.user_loader
def _load_user(session_user_id: str) -> User | None:
    """The session holds "<id>:<session_version>"; a bumped version or a deactivated account ends it."""
    user_id, _, version = session_user_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user


@bp.before_app_request
def _force_password_change():
    # Checked before ``current_user`` so that xAPI and open endpoints (static files) never load the user.
    if request.blueprint == "xapi" or request.endpoint in _OPEN_DURING_FORCED_CHANGE:
        return None
    if current_user.is_authenticated and current_user.must_change_password:
        return redirect(url_for("accounts.change_password"))
    return None


@bp.app_context_processor
def _menu() -> dict:
    return {"main_menu": menu_for(current_user)}


def _start_session(user: User) -> None:
    language = session.get("lang")
    session.clear()
    if user.preferred_locale in LOCALES:
        language = user.preferred_locale
    if language:
        session["lang"] = language
    login_user(user)
    session.permanent = True


def _refused(form: LoginForm, retry_after: int):
    minutes = max(1, (retry_after + 59) // 60)
    message = _("Too many failed attempts. Please wait %(minutes)s minute(s) and try again.", minutes=minutes)
    response = current_app.make_response((render_template("accounts/login.html", form=form, error=message), 429))
    response.headers["Retry-After"] = str(retry_after)
    return response


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if request.method == "GET" and request.args.get("u"):
        form.identifier.data = request.args["u"][:64]
    if not form.validate_on_submit():
        return render_template("accounts/login.html", form=form, error=None)
    identifier = form.identifier.data.strip()
    user = services.find_by_login(identifier)
    account = throttle.account_key(user.id if user else None, identifier)
    address = throttle.ip_key(request.remote_addr or "")
    verdict = throttle.check(account, address)
    if not verdict.allowed:
        audit.record(user, "login", request_origin(), target=identifier[:200], outcome="denied",
                     details={"reason": "throttled"})
        return _refused(form, verdict.retry_after)
    if user is None:
        passwords.spend_verification_time()
        ok, new_hash = False, None
    else:
        ok, new_hash = passwords.verify_password(user.password_hash, form.password.data)
    if not ok or not user.is_active:
        throttle.record_failure(account, address)
        audit.record(user, "login", request_origin(), target=identifier[:200], outcome="failed")
        return render_template("accounts/login.html", form=form,
                               error=_("Wrong username, e-mail or password.")), 401
    throttle.record_success(account)
    services.record_login(user, new_hash, commit=False)
    audit.record(user, "login", request_origin(), target=user.username)
    _start_session(user)
    if user.must_change_password:
        return redirect(url_for("accounts.change_password"))
    return redirect(safe_next(request.args.get("next")))


@bp.route("/logout", methods=["POST"])
def logout():
    language = session.get("lang")
    logout_user()
    session.clear()
    if language:
        session["lang"] = language
    return redirect(url_for("site.home"))


@bp.route("/account/logout-everywhere", methods=["POST"])
@login_required
def logout_everywhere():
    user = current_user._get_current_object()
    services.end_all_sessions(user, commit=False)
    audit.record(user, "logout_everywhere", request_origin(), target=user.username)
    logout_user()
    session.clear()
    flash(_("You have been logged out on every computer."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    user = current_user._get_current_object()
    if form.validate_on_submit():
        try:
            services.change_password(user, form.current_password.data, form.new_password.data, commit=False)
        except AccountError as exc:
            db.session.rollback()
            form.new_password.errors = [*form.new_password.errors, error_text(exc)]
        else:
            audit.record(user, "password_change", request_origin(), target=user.username)
            _start_session(user)  # the version moved on: this session carries the new one
            flash(_("Your password has been changed. Your other sessions have ended."), "success")
            return redirect(url_for("site.home"))
    return render_template("accounts/change_password.html", form=form, forced=user.must_change_password)


@bp.route("/account")
@login_required
def account():
    user = current_user._get_current_object()
    classes = db.session.scalars(policy.visible_classes(user)).all()
    return render_template("accounts/profile.html", person=user, classes=classes, own=True)


@bp.route("/users/<public_id>")
@login_required
def user_profile(public_id: str):
    person = db.first_or_404(select(User).where(User.public_id == public_id))
    policy.require(policy.can_view_user(current_user, person))
    classes = [c for c in person.classes_attended + person.classes_taught if policy.can_view_class(current_user, c)]
    return render_template("accounts/profile.html", person=person, classes=classes,
                           own=person.id == current_user.id)


register_menu_item(("admin", "manager", "teacher", "student"), "accounts.account", _l("My account"), position=900)

from lms.accounts import class_views  # noqa: E402,F401  (adds the class routes to ``bp``)
