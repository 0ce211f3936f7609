"""Every course package shipped in courses/ passes the validator (what `lms init` imports)."""
from __future__ import annotations

import pytest

from lms.catalog.packages import bundled_courses_root, find_packages

PACKAGES = find_packages(bundled_courses_root())


@pytest.mark.parametrize("folder", PACKAGES, ids=[p.name for p in PACKAGES])
def test_bundled_course_is_valid(app, folder):
    from lms.catalog.packages import read_package

    with app.app_context():
        package = read_package(folder, app.extensions["lms.activities"])
    assert [str(p) for p in package.problems] == []
