"""Fixtures of the admin tests: cheap hashing for every test, a world of people."""
from __future__ import annotations

import pytest

from tests.accounts.factories import build_world, fast_hashing  # noqa: F401  (fixture re-exported)


@pytest.fixture(autouse=True)
def _cheap_hashes(fast_hashing):  # noqa: F811
    yield


@pytest.fixture()
def world(db):
    return build_world()
