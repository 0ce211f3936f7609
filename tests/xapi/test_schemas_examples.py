"""Spec examples drive validation: every file in spec_examples/valid passes, every invalid one fails.

Each JSON file holds ``statement`` plus ``_about`` (the requirement it checks, e.g.
"Data 2.2 s4.b1.b1"), ``_versions`` (the API versions it applies to) and, for invalid files,
``_expect`` (the path of the value the error must point at).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from xapi.schemas import StatementValidationError, validate_statement

EXAMPLES = Path(__file__).parent / "spec_examples"


def _cases(folder: str) -> list:
    cases = []
    for path in sorted((EXAMPLES / folder).glob("*.json")):
        example = json.loads(path.read_text(encoding="utf-8"))
        for version in example["_versions"]:
            cases.append(pytest.param(example, version, id=f"{path.stem}-{version}"))
    return cases


def test_there_are_examples_for_both_versions() -> None:
    """The parametrized tests below must not silently run on an empty folder."""
    for folder in ("valid", "invalid"):
        versions = {case.values[1] for case in _cases(folder)}
        assert versions == {"1.0.3", "2.0.0"}, folder
    assert len(_cases("invalid")) > 200


@pytest.mark.parametrize(("example", "version"), _cases("valid"))
def test_valid_example_is_accepted_unchanged(example: dict, version: str) -> None:
    """The requirement named in ``_about`` allows this statement; it comes back unchanged."""
    statement = example["statement"]
    original = json.dumps(statement, sort_keys=True)

    result = validate_statement(statement, version)

    assert result == statement, example["_about"]
    assert result is not statement
    assert json.dumps(statement, sort_keys=True) == original  # the input is not modified


@pytest.mark.parametrize(("example", "version"), _cases("invalid"))
def test_invalid_example_is_rejected_at_its_path(example: dict, version: str) -> None:
    """The requirement named in ``_about`` forbids this statement; the error names the value."""
    with pytest.raises(StatementValidationError) as caught:
        validate_statement(example["statement"], version)

    assert caught.value.path == example["_expect"], f"{example['_about']}: {caught.value}"
    assert str(caught.value) == f"{caught.value.path}: {caught.value.message}"
    assert caught.value.message
