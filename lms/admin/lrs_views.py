"""Admin pages for LRS credentials: list, create (scopes, CORS origins), rotate and revoke."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.errors import AccountError
from lms.accounts.viewhelpers import error_text, no_store, request_origin
from lms.admin import services
from lms.admin.forms import LrsClientForm
from lms.admin.views import bp
from lms.extensions import db
from xapi.lrs import auth


def _show_secret_once(name: str, key: str, secret: str):
    return no_store(current_app.make_response(
        render_template("admin/lrs_secret.html", name=name, key=key, secret=secret)))


@bp.route("/lrs-clients", methods=["GET", "POST"])
def lrs_clients():
    form = LrsClientForm()
    if form.validate_on_submit():
        origins = [line.strip() for line in (form.origins.data or "").splitlines() if line.strip()]
        try:
            client, secret = services.create_lrs_client(current_user, request_origin(), form.name.data,
                                                        list(form.scopes.data), origins,
                                                        bare_profile_put=form.bare_profile_put.data)
        except (AccountError, ValueError) as exc:
            message = error_text(exc) if isinstance(exc, AccountError) else str(exc)
            form.name.errors = [*form.name.errors, message]
        else:
            return _show_secret_once(client.name, client.key, secret)
    clients = auth.list_clients(db.session, include_revoked=True)
    return render_template("admin/lrs_clients.html", clients=clients, form=form)


@bp.route("/lrs-clients/<key>/rotate", methods=["POST"])
def rotate_lrs_client(key: str):
    try:
        secret = services.rotate_lrs_client(current_user, request_origin(), key)
    except LookupError:
        flash(_("There is no active credential with this key."), "error")
        return redirect(url_for("admin.lrs_clients"))
    client = next(c for c in auth.list_clients(db.session) if c.key == key)
    return _show_secret_once(client.name, key, secret)


@bp.route("/lrs-clients/<key>/revoke", methods=["POST"])
def revoke_lrs_client(key: str):
    try:
        services.revoke_lrs_client(current_user, request_origin(), key)
    except LookupError:
        flash(_("There is no active credential with this key."), "error")
    else:
        flash(_("The credential %(key)s is revoked.", key=key), "success")
    return redirect(url_for("admin.lrs_clients"))
