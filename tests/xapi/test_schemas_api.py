"""The public interface the LRS calls: batches, agents, error paths, and statements built by tincan."""
from __future__ import annotations

import copy
import datetime
import json
import uuid

import pytest
import tincan

from xapi.schemas import (
    StatementValidationError,
    validate_agent,
    validate_statement,
    validate_statements,
)

SIMPLE = {
    "actor": {"mbox": "mailto:an@example.vn"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
    "object": {"id": "https://congdanso.example.vn/pages/1"},
}


def test_batch_paths_start_with_the_index() -> None:
    """Communication §2.1.2 (POST with an array): the error names the failing statement."""
    batch = [copy.deepcopy(SIMPLE) for _ in range(3)]
    batch[2]["result"] = {"score": {"scaled": 2}}
    with pytest.raises(StatementValidationError) as caught:
        validate_statements(batch, "1.0.3")
    assert caught.value.path == "[2].result.score.scaled"
    assert str(caught.value) == "[2].result.score.scaled: Must be between -1 and 1 inclusive."


def test_batch_returns_new_dicts_in_order() -> None:
    """validate_statements keeps the order and content, as new objects."""
    batch = [dict(SIMPLE, id=str(uuid.uuid4())) for _ in range(3)]
    result = validate_statements(batch, "2.0.0")
    assert result == batch
    assert all(new is not old for new, old in zip(result, batch))


def test_single_statement_object_is_a_batch_of_one() -> None:
    """Communication §2.1.2: POST takes one statement or an array."""
    assert validate_statements(SIMPLE, "1.0.3") == [SIMPLE]


@pytest.mark.parametrize("data", ["text", 5, None, True])
def test_batch_must_be_object_or_array(data: object) -> None:
    """A body that is neither a statement nor an array of statements is refused."""
    with pytest.raises(StatementValidationError) as caught:
        validate_statements(data, "1.0.3")
    assert caught.value.path == "statements"


@pytest.mark.parametrize(("data", "path"), [([SIMPLE], "statement"), ("x", "statement"), (None, "statement")])
def test_statement_must_be_an_object(data: object, path: str) -> None:
    """Data §2.4: a statement is a JSON object."""
    with pytest.raises(StatementValidationError) as caught:
        validate_statement(data, "2.0.0")
    assert caught.value.path == path


def test_batch_element_must_be_an_object() -> None:
    """Each element of a batch is a statement object."""
    with pytest.raises(StatementValidationError) as caught:
        validate_statements([SIMPLE, "x"], "2.0.0")
    assert caught.value.path == "[1]"


def test_unknown_version_is_a_programming_error() -> None:
    """Only "1.0.3" and "2.0.0" exist; the HTTP layer negotiates the version first."""
    with pytest.raises(ValueError, match="Unsupported xAPI version"):
        validate_statement(SIMPLE, "1.0.2")


@pytest.mark.parametrize("agent", [
    {"mbox": "mailto:an@example.vn"},
    {"objectType": "Agent", "account": {"homePage": "https://congdanso.example.vn", "name": "u-1"}},
    {"objectType": "Group", "openid": "https://openid.example.vn/team", "member": [{"mbox": "mailto:b@example.vn"}]},
])
def test_validate_agent_accepts_agents_and_identified_groups(agent: dict) -> None:
    """Communication §2.3 (agent parameter): an Agent or identified Group, returned unchanged."""
    assert validate_agent(agent, "1.0.3") == agent


@pytest.mark.parametrize(("agent", "path"), [
    ({"objectType": "Group", "member": [{"mbox": "mailto:b@example.vn"}]}, "agent"),
    ({"mbox": "an@example.vn"}, "agent.mbox"),
    ({"name": "An"}, "agent"),
    ({"mbox": "mailto:an@example.vn", "extra": 1}, "agent.extra"),
    ("mailto:an@example.vn", "agent"),
])
def test_validate_agent_rejects(agent: object, path: str) -> None:
    """Data §2.4.2: the agent parameter must identify exactly one Agent or Group."""
    with pytest.raises(StatementValidationError) as caught:
        validate_agent(agent, "2.0.0")
    assert caught.value.path == path


def _tincan_statement() -> tincan.Statement:
    vietnam = datetime.timezone(datetime.timedelta(hours=7))
    return tincan.Statement(
        id=uuid.uuid4(),
        actor=tincan.Agent(name="An", account=tincan.AgentAccount(home_page="https://congdanso.example.vn", name="u-1")),
        verb=tincan.Verb(id="http://adlnet.gov/expapi/verbs/answered", display=tincan.LanguageMap({"vi": "đã trả lời"})),
        object=tincan.Activity(
            id="https://congdanso.example.vn/q/1",
            definition=tincan.ActivityDefinition(
                name=tincan.LanguageMap({"vi": "Câu 1"}),
                type="http://adlnet.gov/expapi/activities/cmi.interaction",
                interaction_type="choice",
                correct_responses_pattern=["a"],
                choices=tincan.InteractionComponentList(
                    [tincan.InteractionComponent(id="a", description=tincan.LanguageMap({"vi": "A"}))]
                ),
            ),
        ),
        result=tincan.Result(
            score=tincan.Score(scaled=0.5, raw=5, min=0, max=10), success=True, completion=True,
            response="a", duration=datetime.timedelta(minutes=2, seconds=3.5),
        ),
        context=tincan.Context(
            registration=uuid.uuid4(), language="vi-VN", platform="Công dân số",
            context_activities=tincan.ContextActivities(
                parent=tincan.ActivityList([tincan.Activity(id="https://congdanso.example.vn/c/1")])
            ),
        ),
        timestamp=datetime.datetime(2024, 5, 1, 8, 30, tzinfo=vietnam),
    )


@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
def test_tincan_statements_validate(version: str) -> None:
    """Statements the LMS builds with the tincan package (lms/learn/statements.py) are accepted."""
    data = json.loads(_tincan_statement().to_json())
    assert validate_statement(data, version) == data


def test_tincan_voiding_statement_validates() -> None:
    """Data §2.3.2: a voiding statement built with tincan has a StatementRef object."""
    statement = tincan.Statement(
        actor=tincan.Agent(mbox="mailto:admin@example.vn"),
        verb=tincan.Verb(id="http://adlnet.gov/expapi/verbs/voided"),
        object=tincan.StatementRef(id=uuid.uuid4()),
    )
    data = json.loads(statement.to_json())
    assert validate_statement(data, "2.0.0") == data


def test_extensions_keep_their_values() -> None:
    """Data §4.1 s3.b2: extension values, nulls and nesting included, come back as sent."""
    data = dict(SIMPLE, result={"extensions": {"https://congdanso.example.vn/ext/a": {"b": [None, 1.5, "c"]}}})
    assert validate_statement(data, "1.0.3")["result"]["extensions"] == data["result"]["extensions"]


def test_numbers_keep_their_type() -> None:
    """Data §2.2 s4.b3: numbers are kept as sent (an int stays an int, a float a float)."""
    data = dict(SIMPLE, result={"score": {"raw": 7, "min": 0.0, "max": 10}})
    score = validate_statement(data, "1.0.3")["result"]["score"]
    assert score == {"raw": 7, "min": 0.0, "max": 10}
    assert isinstance(score["raw"], int) and isinstance(score["min"], float)


def test_non_finite_numbers_are_refused() -> None:
    """JSON has no NaN or Infinity; Python's json module accepts them, so the schema refuses them."""
    data = json.loads('{"actor": {"mbox": "mailto:a@b.vn"}, "verb": {"id": "http://x.vn/v"},'
                      ' "object": {"id": "http://x.vn/o"}, "result": {"score": {"raw": NaN}}}')
    with pytest.raises(StatementValidationError) as caught:
        validate_statement(data, "1.0.3")
    assert caught.value.path == "result.score.raw"
