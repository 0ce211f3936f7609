"""The cache of valid sub-objects (xapi/schemas/memo.py) never changes what validation decides.

Each test validates a statement so that its parts are cached, then a statement that differs in
one detail, and checks that the second gets the verdict and error path it gets from a cold
cache. Only successes are cached, so an error must always come from marshmallow itself.
"""
from __future__ import annotations

import copy
import json
import threading

import pytest

from tests.xapi.test_schemas_examples import _cases
from xapi.schemas import StatementValidationError, memo, validate_statement, validate_statements
from xapi.schemas.context import CONTEXTS
from xapi.schemas.result import RESULT

QUESTION = {
    "objectType": "Activity",
    "id": "https://congdanso.example.vn/courses/vneid/quiz/1",
    "definition": {
        "name": {"vi-VN": "Câu 1", "en-US": "Question 1"},
        "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
        "interactionType": "choice",
        "correctResponsesPattern": ["b"],
        "choices": [{"id": "a", "description": {"vi-VN": "Phương án A", "en-US": "Option A"}},
                    {"id": "b", "description": {"vi-VN": "Phương án B", "en-US": "Option B"}}],
    },
}
STATEMENT = {
    "actor": {"objectType": "Agent", "account": {"homePage": "https://congdanso.example.vn", "name": "u-1"}},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"vi-VN": "đã trả lời"}},
    "object": QUESTION,
    "result": {"score": {"scaled": 1, "raw": 1, "min": 0, "max": 1}, "success": True, "completion": True,
               "response": "b", "duration": "PT12.5S"},
    "context": {
        "registration": "6d9a1c2e-3b4f-4a5b-9c8d-7e6f5a4b3c2d",
        "contextActivities": {"parent": [{"id": "https://congdanso.example.vn/courses/vneid/quiz"}],
                              "grouping": [{"id": "https://congdanso.example.vn/courses/vneid"}]},
        "language": "vi-VN",
        "extensions": {"https://congdanso.example.vn/ext/session": "s-1"},
    },
    "timestamp": "2026-01-05T07:30:00.000+07:00",
}


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    memo.clear()


def _changed(path: tuple, value: object) -> dict:
    """STATEMENT with the value at ``path`` replaced (a deep copy: the cached original is intact)."""
    statement = copy.deepcopy(STATEMENT)
    target = statement
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return statement


def _error(statement: object, version: str = "1.0.3") -> StatementValidationError:
    with pytest.raises(StatementValidationError) as caught:
        validate_statement(statement, version)
    return caught.value


def _cold_error(statement: object, version: str = "1.0.3") -> StatementValidationError:
    memo.clear()
    return _error(statement, version)


def test_repeated_parts_are_served_from_the_cache() -> None:
    """The second statement with the same parts is validated from the cache, with the same result."""
    first = validate_statement(STATEMENT, "2.0.0")
    misses = memo.cache_info().misses
    again = validate_statement(copy.deepcopy(STATEMENT), "2.0.0")
    assert again == first == STATEMENT
    assert memo.cache_info().misses == misses
    assert memo.cache_info().hits > 0


@pytest.mark.parametrize(("path", "value", "expected"), [
    (("object", "definition", "choices", 1, "description", "en_US"), "Option B",
     "object.definition.choices[1].description.en_US"),
    (("object", "definition", "choices", 1, "id"), "a", "object.definition.choices[1].id"),
    (("object", "definition", "interactionType"), "Choice", "object.definition.interactionType"),
    (("object", "definition", "correctResponsesPattern", 0), 2, "object.definition.correctResponsesPattern[0]"),
    (("actor", "account", "homePage"), "congdanso.example.vn", "actor.account.homePage"),
    (("verb", "display", "vi-VN"), None, "verb.display.vi-VN"),
    (("result", "score", "raw"), 2, "result.score.raw"),
    (("result", "duration"), "PT12.5", "result.duration"),
    (("context", "registration"), "6d9a1c2e", "context.registration"),
    (("context", "extensions", "session"), "s-1", "context.extensions.session"),
    (("context", "contextActivities", "parent", 0, "id"), "/quiz", "context.contextActivities.parent[0].id"),
    (("context", "platform"), 7, "context.platform"),
])
def test_deep_invalid_detail_after_a_cached_valid_statement(path: tuple, value: object, expected: str) -> None:
    """Data §2.2 s4: a statement that differs from an accepted one in one deep detail is rejected there."""
    validate_statement(STATEMENT, "1.0.3")
    bad = _changed(path, value)
    warm = _error(bad)
    cold = _cold_error(bad)
    assert (warm.path, warm.message) == (cold.path, cold.message)
    assert warm.path == expected


@pytest.mark.parametrize(("path", "valid", "invalid", "expected"), [
    (("result", "success"), True, 1, "result.success"),
    (("result", "completion"), False, 0, "result.completion"),
    (("result", "score", "raw"), 1, True, "result.score.raw"),
    (("result", "score", "min"), 0, False, "result.score.min"),
    (("object", "definition", "correctResponsesPattern"), ["b"], ("b",), "object.definition.correctResponsesPattern"),
    (("object", "definition", "choices", 0, "id"), "a", 1, "object.definition.choices[0].id"),
])
def test_json_types_are_never_confused(path: tuple, valid: object, invalid: object, expected: str) -> None:
    """Data §2.2 s4.b1.b3: ``true`` is not ``1`` and an array is an array, even when the other was cached."""
    validate_statement(_changed(path, valid), "1.0.3")
    assert _error(_changed(path, invalid)).path == expected
    validate_statement(_changed(path, valid), "1.0.3")  # and the valid one is still accepted


def test_one_and_one_point_zero_both_valid_keep_their_type() -> None:
    """Data §2.2 s4.b3: ``1`` and ``1.0`` are both numbers; each comes back with its own type."""
    as_int = validate_statement(_changed(("result", "score", "raw"), 1), "1.0.3")
    as_float = validate_statement(_changed(("result", "score", "raw"), 1.0), "1.0.3")
    assert type(as_int["result"]["score"]["raw"]) is int
    assert type(as_float["result"]["score"]["raw"]) is float


def test_cached_part_in_another_place_gets_that_place_in_its_path() -> None:
    """A cached valid Activity reused elsewhere is valid; an invalid copy there names its own path."""
    validate_statement(STATEMENT, "1.0.3")
    reused = _changed(("context", "contextActivities", "other"), [QUESTION])
    assert validate_statement(reused, "1.0.3") == reused
    broken = copy.deepcopy(QUESTION)
    broken["definition"]["scale"] = []
    error = _error(_changed(("context", "contextActivities", "other"), [QUESTION, broken]))
    assert error.path == "context.contextActivities.other[1].definition.scale"
    batch = [STATEMENT, _changed(("object",), broken)]
    with pytest.raises(StatementValidationError) as caught:
        validate_statements(batch, "2.0.0")
    assert caught.value.path == "[1].object.definition.scale"


def test_first_error_in_declaration_order_with_parts_checked_apart() -> None:
    """When a checked-apart field and the cached rest are both wrong, the first field declared wins."""
    validate_statement(STATEMENT, "1.0.3")
    both = _changed(("context", "registration"), "x")
    both["context"]["language"] = "en_US"
    assert _error(both).path == "context.registration"
    later = _changed(("context", "extensions"), {"not an iri": 1})
    later["context"]["contextActivities"] = {"parent": {"id": "relative"}}
    assert _error(later).path == "context.contextActivities.parent.id"


def test_checked_apart_fields_are_optional_and_read_by_no_schema_rule() -> None:
    """memo.load may check these fields alone only if no rule of their schema looks at them."""
    for schema in (RESULT, *CONTEXTS.values()):
        assert schema.checked_apart
        for name in schema.checked_apart:
            assert not schema.load_fields[name].required
        assert not schema._hooks["validates_schema"]  # marshmallow's registry of schema validators


def test_cache_is_bounded() -> None:
    """The cache never holds more than CACHE_ENTRIES objects, however many distinct ones pass."""
    for number in range(memo.CACHE_ENTRIES + 50):
        validate_statement(_changed(("verb", "id"), f"https://congdanso.example.vn/verbs/{number}"), "1.0.3")
    info = memo.cache_info()
    assert info.maxsize == memo.CACHE_ENTRIES
    assert info.currsize == memo.CACHE_ENTRIES


def test_large_objects_are_validated_without_the_cache() -> None:
    """Objects larger than MAX_KEY_BYTES are not kept, and are still validated."""
    large = _changed(("object", "definition", "description"), {"vi-VN": "x" * memo.MAX_KEY_BYTES})
    assert validate_statement(large, "1.0.3") == large
    size = memo.cache_info().currsize
    assert validate_statement(large, "1.0.3") == large
    assert memo.cache_info().currsize == size
    large["object"]["definition"]["description"]["en_US"] = "x"
    assert _error(large).path == "object.definition.description.en_US"


def test_results_are_new_statements_and_inputs_are_untouched() -> None:
    """The returned statement is a new dict equal to the input; validating does not modify the input."""
    sent = copy.deepcopy(STATEMENT)
    validate_statement(sent, "1.0.3")
    result = validate_statement(sent, "1.0.3")
    assert result == STATEMENT and result is not sent and sent == STATEMENT


def _examples(folder: str) -> list:
    """(example, version) pairs of the spec examples in ``folder`` (as test_schemas_examples reads them)."""
    return [tuple(case.values) for case in _cases(folder)]


def test_invalid_examples_after_every_valid_example() -> None:
    """Every invalid spec example is still rejected at its path once all valid examples are cached."""
    for example, version in _examples("valid"):
        validate_statement(example["statement"], version)
    for example, version in _examples("invalid"):
        error = _error(example["statement"], version)
        assert error.path == example["_expect"], example["_about"]


def test_threads_share_the_cache_safely() -> None:
    """Concurrent requests (a threaded server) get the same verdicts as one thread alone."""
    cases = [(example["statement"], version) for example, version in _examples("valid") + _examples("invalid")]
    expected = [_outcome(statement, version) for statement, version in cases]
    memo.clear()
    found: list[list] = []

    def work() -> None:
        found.append([_outcome(statement, version) for statement, version in cases])

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert found == [expected] * 4


def _outcome(statement: object, version: str) -> str:
    try:
        return json.dumps(validate_statement(statement, version), sort_keys=True)
    except StatementValidationError as exc:
        return str(exc)
