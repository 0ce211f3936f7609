"""Fixtures of the catalogue tests: a writable copy of the civic-basics fixture package."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.learn.helpers import COURSE_DIR


@pytest.fixture()
def package(tmp_path) -> Path:
    folder = tmp_path / "civic-basics"
    shutil.copytree(COURSE_DIR, folder)
    return folder
