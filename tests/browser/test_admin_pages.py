"""Admin pages in a real browser (headless Chromium): what the form lets a person do."""
from __future__ import annotations

import pytest

from tests.browser.conftest import CHROMIUM, login

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (.ci/run installs it)")]


def test_admin_creates_an_lrs_credential_with_one_scope(live_server, page, world):
    """LRS issues: credentials are created from the admin pages. Ticking one scope (and the plain
    profile PUT box) must be enough: WTForms' DataRequired put ``required`` on every scope
    checkbox, and Chromium then refused to send the form until all eight were ticked."""
    login(page, live_server, world.usernames["admin"])
    page.goto(f"{live_server}/admin/lrs-clients")
    assert page.locator("input[name=scopes][required]").count() == 0
    page.fill("input[name=name]", "LMS đối tác")
    page.check("input[name=scopes][value='statements/read']")
    page.check("input[name=bare_profile_put]")
    with page.expect_navigation():
        page.click("button:has-text('Tạo thông tin xác thực')")
    assert page.locator("code.secret").count() == 1
    page.goto(f"{live_server}/admin/lrs-clients")
    row = page.locator("tr", has_text="LMS đối tác")
    assert "statements/read" in row.inner_text() and "cho phép" in row.inner_text()


def test_admin_sees_a_message_when_no_scope_is_ticked(live_server, page, world):
    login(page, live_server, world.usernames["admin"])
    page.goto(f"{live_server}/admin/lrs-clients")
    page.fill("input[name=name]", "Thiếu phạm vi")
    with page.expect_navigation():
        page.click("button:has-text('Tạo thông tin xác thực')")
    assert "Hãy chọn ít nhất một phạm vi quyền." in page.inner_text("form:has(input[name=name])")
