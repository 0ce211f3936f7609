"""Fixtures of the learning-loop tests: cheap password hashing and the people of the access tests."""
from __future__ import annotations

import pytest

from tests.accounts.factories import build_world, fast_hashing  # noqa: F401  (fixture re-exported)


@pytest.fixture(autouse=True)
def _cheap_hashes(fast_hashing):  # noqa: F811
    yield


@pytest.fixture()
def world(db):
    return build_world()
