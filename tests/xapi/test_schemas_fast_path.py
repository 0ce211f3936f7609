"""The statement loader's fast path (xapi/schemas/statement.py ``_load_valid``) is ``schema.load``.

It may only skip marshmallow's machinery because the statement schemas have no hooks but the
cross rules, no data keys, and exactly actor, verb and object required: these tests fail when
that stops being true, and check that results and errors are marshmallow's own.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from marshmallow import ValidationError

from lms.bench.workers import IngestJob, encode_batches
from xapi.schemas import statement as statement_module
from xapi.schemas.statement import STATEMENT_SCHEMAS

EXAMPLES = Path(__file__).parent / "spec_examples"


@pytest.mark.parametrize("version", sorted(STATEMENT_SCHEMAS))
def test_statement_schemas_have_nothing_the_fast_path_would_skip(version):
    schema = STATEMENT_SCHEMAS[version]
    assert {name: [hook[0] for hook in hooks] for name, hooks in schema._hooks.items() if hooks} == \
        {"validates_schema": ["_cross_rules"]}
    assert {name for name, field in schema.load_fields.items() if field.required} == statement_module._REQUIRED
    assert all(field.data_key is None for field in schema.load_fields.values())


def _examples(kind: str) -> list[dict]:
    found = []
    for path in sorted((EXAMPLES / kind).glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "statement" in data:
            data = data["statement"]
        if isinstance(data, dict):
            found.append(data)
    return found


def _marshmallow(version: str, data: dict):
    try:
        return "ok", STATEMENT_SCHEMAS[version].load(copy.deepcopy(data))
    except ValidationError as exc:
        return "error", exc.messages


def _fast(version: str, data: dict):
    try:
        return "ok", statement_module._load_valid(STATEMENT_SCHEMAS[version], copy.deepcopy(data))
    except ValidationError as exc:
        return "error", exc.messages


@pytest.mark.parametrize("version", sorted(STATEMENT_SCHEMAS))
def test_fast_path_gives_marshmallows_result_and_errors_for_every_example(version):
    examples = _examples("valid") + _examples("invalid")
    examples += [item for _, body in encode_batches(IngestJob(seed=7, start=0, count=300, batch_size=300), version)
                 for item in json.loads(body)]
    assert len(examples) > 400
    for data in examples:
        expected, got = _marshmallow(version, data), _fast(version, data)
        assert got == expected, data
        if got[0] == "ok":
            assert list(got[1]) == list(expected[1])  # same key order as marshmallow's result


@pytest.mark.parametrize("broken", [
    {"Actor": {"mbox": "mailto:a@example.org"}},              # unknown key (case matters)
    {"verb": None},                                           # null value
    {"object": {"id": "not an iri"}},                         # nested error
    {"context": {"revision": "r1"}, "object": {"objectType": "Agent", "mbox": "mailto:b@example.org"}},  # cross rule
])
def test_fast_path_errors_are_marshmallows(broken):
    data = {"actor": {"mbox": "mailto:a@example.org"}, "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
            "object": {"id": "http://example.org/a"}}
    data.update(broken)
    for version in STATEMENT_SCHEMAS:
        expected = _marshmallow(version, data)
        assert expected[0] == "error"
        assert _fast(version, data) == expected
