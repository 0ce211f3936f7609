"""With CSRF protection on (as in production), a login or logout without the form's token is refused."""
from __future__ import annotations

import re

from tests.accounts.factories import PASSWORD


def test_forms_need_the_csrf_token(app, db, tmp_path):
    from lms import create_app
    from lms.accounts import services

    services.create_user("thu.pham", PASSWORD, "teacher", must_change_password=False)
    protected = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "k",
                            "DATABASE_URL": app.config["DATABASE_URL"], "WTF_CSRF_ENABLED": True,
                            **{k: app.config[k] for k in app.config if k.startswith("PASSWORD_HASH_")}})
    client = protected.test_client()
    refused = client.post("/login", data={"identifier": "thu.pham", "password": PASSWORD})
    assert refused.status_code == 400
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    accepted = client.post("/login", data={"identifier": "thu.pham", "password": PASSWORD, "csrf_token": token})
    assert accepted.status_code == 302
    assert client.post("/logout").status_code == 400
