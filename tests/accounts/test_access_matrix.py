"""The access rules as a matrix: every view and export x every kind of person (issue 5 acceptance)."""
from __future__ import annotations

import pytest

from tests.accounts.access_matrix import ACTORS, ROUTES, check_access


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("spec", ROUTES, ids=[spec.name for spec in ROUTES])
def test_only_allowed_cells_return_data(client, world, spec, actor):
    """Issue 5: a student sees only their own data, a teacher only their classes, a school manager
    only their school, an admin everything, anonymous visitors nothing (they are sent to log in)."""
    check_access(client, world, spec, actor)


def test_every_route_of_accounts_and_admin_is_in_the_matrix(app):
    """The matrix must grow with the features: a new accounts/admin route without a row fails here."""
    covered = {"/account", "/school", "/users/<public_id>", "/classes", "/classes/<int:class_id>",
               "/classes/<int:class_id>/cards", "/classes/<int:class_id>/students.csv",
               "/classes/<int:class_id>/roster", "/classes/new", "/classes/<int:class_id>/students",
               "/classes/<int:class_id>/students/<public_id>/reset-password",
               "/classes/<int:class_id>/students/<public_id>/remove", "/classes/<int:class_id>/teachers",
               "/admin/", "/admin/users", "/admin/users/<int:user_id>", "/admin/users/new", "/admin/schools",
               "/admin/audit", "/admin/lrs-clients", "/admin/users/<int:user_id>/reset-password",
               "/admin/users/<int:user_id>/active", "/admin/users/<int:user_id>/role",
               "/admin/lrs-clients/<key>/rotate", "/admin/lrs-clients/<key>/revoke"}
    # Open to everyone by design: logging in and out, the password change of the logged-in user.
    public = {"/login", "/logout", "/account/password", "/account/logout-everywhere"}
    rules = {r.rule for r in app.url_map.iter_rules() if r.endpoint.split(".")[0] in ("accounts", "admin")}
    assert rules - covered - public == set()
