"""Statement validation cases of the ADL LRS conformance suite: empty objects, authority Groups,
language tags and the statement version (Data 2.2, 2.4.4.1, 2.4.6.2, 2.4.9, 2.4.10, 4.2)."""
from __future__ import annotations

import copy

import pytest

from xapi.schemas import StatementValidationError, validate_language_tag, validate_statement

VERSIONS = ("1.0.3", "2.0.0")
ACTIVITY_ID = "https://congdanso.example.vn/courses/dich-vu-cong/modules/1"
SIMPLE = {
    "actor": {"mbox": "mailto:an@example.vn"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
    "object": {"id": ACTIVITY_ID},
}
TWO_MEMBERS = [
    {"account": {"homePage": "http://example.com/xAPI/OAuth/Token", "name": "oauth_consumer_x75db"}},
    {"mbox": "mailto:bob@example.com"},
]


def statement(**changes: object) -> dict:
    """SIMPLE with top-level properties replaced or added."""
    result = copy.deepcopy(SIMPLE)
    result.update(copy.deepcopy(changes))
    return result


def substatement(**changes: object) -> dict:
    """A statement whose object is a SubStatement built from SIMPLE plus ``changes``."""
    inner = {"objectType": "SubStatement", **copy.deepcopy(SIMPLE), **copy.deepcopy(changes)}
    return statement(object=inner)


def rejected_at(data: dict, version: str) -> str:
    with pytest.raises(StatementValidationError) as caught:
        validate_statement(data, version)
    assert caught.value.message
    return caught.value.path


# --- B. Empty objects -------------------------------------------------------------------------

@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("data", [
    statement(object={"id": ACTIVITY_ID, "definition": {}}),
    substatement(object={"id": ACTIVITY_ID, "definition": {}}),
    statement(context={"contextActivities": {"parent": [{"id": ACTIVITY_ID, "definition": {}}]}}),
    statement(context={"contextActivities": {}}),
    substatement(context={"contextActivities": {}}),
], ids=["statement-definition", "substatement-definition", "context-activity-definition",
        "context-activities", "substatement-context-activities"])
def test_empty_activity_definition_and_context_activities_are_accepted(data: dict, version: str) -> None:
    """The current ADL conformance suite (verify.js, "An Activity Definition uses the following
    properties ...") sends ``definition: {}`` and expects 200: its old rule to reject it was
    withdrawn (adlnet/lrs-conformance-test-suite#130), as was XAPI-00095 for an empty
    contextActivities (#128). Data 2.2.s2.b1 only says empty objects "SHOULD NOT" be sent."""
    assert validate_statement(data, version) == data


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("data", [
    statement(result={}),
    statement(context={}),
    statement(result={"score": {}, "extensions": {}}),
    statement(context={"extensions": {}}),
    statement(object={"id": ACTIVITY_ID, "definition": {"extensions": {}}}),
    statement(object={"id": ACTIVITY_ID, "definition": {"name": {}}}),
    statement(verb={"id": "http://adlnet.gov/expapi/verbs/experienced", "display": {}}),
    substatement(result={}, context={}),
], ids=["result", "context", "score-and-result-extensions", "context-extensions",
        "definition-extensions", "definition-name", "verb-display", "substatement"])
def test_data_2_2_s2_b1_other_empty_objects_are_accepted(data: dict, version: str) -> None:
    """Data 2.2.s2.b1: "Statements and other objects SHOULD NOT include properties with a value of
    an empty object." A SHOULD NOT is no ground for rejection; the suite expects empty extensions
    ("statement activity extensions can be empty", "statement result extensions can be empty")
    to be accepted."""
    assert validate_statement(data, version) == data


# --- C. Authority ----------------------------------------------------------------------------

@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(("ifi", "value"), [
    ("mbox", "mailto:bob@example.com"),
    ("mbox_sha1sum", "cd9b00a5611f94eaa7b1661edab976068e364975"),
    ("openid", "http://openid.example.org/12345"),
    ("account", {"homePage": "http://www.example.com", "name": "xAPI account name"}),
])
def test_xapi_00024_authority_identified_group_is_rejected(ifi: str, value: object, version: str) -> None:
    """Data 2.4.9.s3.b1: "Authority MUST be an Agent, except in 3-legged OAuth, where it MUST be a
    Group with two Agents. The two Agents represent an application and user together." The ADL
    suite ("should fail statement authority identified group", XAPI-00024/XAPI-00098: "Statement
    authority shall only be an anonymous group with two members") expects 400 for a Group with
    an IFI even when it has the two members."""
    authority = {"objectType": "Group", ifi: value, "member": TWO_MEMBERS}
    assert rejected_at(statement(authority=authority), version) == f"authority.{ifi}"


@pytest.mark.parametrize("version", VERSIONS)
def test_xapi_00098_authority_anonymous_group_of_two_is_accepted(version: str) -> None:
    """Data 2.4.9.s3.b1: the 3-legged OAuth authority is a Group with two Agents (s8 example)."""
    data = statement(authority={"objectType": "Group", "member": TWO_MEMBERS})
    assert validate_statement(data, version) == data


# --- D. Language tags ------------------------------------------------------------------------

@pytest.mark.parametrize("tag", [
    "zh-z-aaa-z-bbb-c-ccc",  # RFC 5646 §2.2.6: a singleton appears at most once
    "en-a-bbb-A-ccc",  # ... compared case-insensitively
    "test",  # §2.2.1: 4-letter primary language subtags are reserved
    "abcd-US",
    "de-DE-1901-1901",  # §2.2.5: a variant appears at most once
    "sl-rozaj-ROZAJ",
    "zh-min-nan-Hant",  # §2.2.2: the 2nd and 3rd extlang positions are permanently reserved
    "en-abc-def",
])
def test_data_2_2_s4_b2_invalid_rfc5646_tags_are_rejected(tag: str) -> None:
    """Data 2.2.s3.b2: "Keys of language maps MUST be sent with valid RFC 5646 language tags";
    RFC 5646 §2.2.9 calls a tag valid only without duplicate variants or singletons, and §2.2.1
    and §2.2.2 reserve 4-letter language subtags and the extra extlang positions."""
    with pytest.raises(StatementValidationError):
        validate_language_tag(tag, "context.language")


@pytest.mark.parametrize("tag", [
    "zh-a-aaa-z-bbb-c-ccc", "en-a-myext-b-another", "de-Latn-DE-1996-u-co-phonebk-x-private",
    "sl-rozaj-biske-1994", "zh-yue-HK", "zh-cmn-Hans-CN", "hy-Latn-IT-arevela", "qaa-Qaaa-QM-x-southern",
    "x-a-a", "en-x-a-a-a", "en-a-bbb-x-a-ccc", "i-klingon", "en-GB-oed", "zh-min-nan", "art-lojban",
    "ZH-MIN-NAN", "sgn-BE-FR", "es-419", "de-CH-1901", "tlh", "vi",
])
def test_data_2_2_s4_b2_valid_rfc5646_tags_stay_valid(tag: str) -> None:
    """RFC 5646 §2.1 and §2.2: well-formed tags, private use (any subtags after "x"), and the
    grandfathered tags (irregular such as i-klingon, regular such as zh-min-nan) are valid."""
    assert validate_language_tag(tag, "context.language") == tag


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("tag", ["test", "zh-z-aaa-z-bbb-c-ccc"])
def test_data_4_2_interaction_component_description_with_invalid_tag_is_rejected(tag: str, version: str) -> None:
    """Data 4.2 / 2.2.s4.b2 (XAPI-00062 area): an interaction component's description is a
    Language Map, so ``{"test": "value"}`` is rejected (RFC 5646: "test" is a reserved subtag)."""
    definition = {
        "interactionType": "choice",
        "correctResponsesPattern": ["a"],
        "choices": [{"id": "a", "description": {tag: "value"}}],
    }
    data = statement(object={"id": ACTIVITY_ID, "definition": definition})
    assert rejected_at(data, version) == f"object.definition.choices[0].description.{tag}"


# --- F. Version ------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "versions"), [
    ("1.0", VERSIONS),
    ("1.0.0", VERSIONS),
    ("1.0.9", VERSIONS),
    ("2.0", ("2.0.0",)),
    ("2.0.0", ("2.0.0",)),
])
def test_xapi_00101_version_1_0_and_1_0_x_are_accepted(value: str, versions: tuple[str, ...]) -> None:
    """Data 2.4.10.s2.b1: "Version MUST be formatted as laid out for the API version header";
    Communication 3.3.s3.b3: "The LRS MUST accept requests with a version header of `1.0` as if
    the version header was `1.0.0`." XAPI-00101: reject "anything but "1.0" or "1.0.x"".
    IEEE 9274.1.1: a version header of 2.0 is accepted as if it were 2.0.0."""
    for version in versions:
        data = statement(version=value)
        assert validate_statement(data, version) == data


@pytest.mark.parametrize(("value", "versions"), [
    ("1", VERSIONS),
    ("1.0.", VERSIONS),
    ("1.0.x", VERSIONS),
    ("1.0.0.0", VERSIONS),
    ("0.9.9", VERSIONS),
    ("1.1.0", VERSIONS),
    ("2.0", ("1.0.3",)),
    ("2.0.0", ("1.0.3",)),
    ("2.1.0", ("2.0.0",)),
    (" 1.0", VERSIONS),
    ("1.0\n", VERSIONS),
])
def test_xapi_00101_other_versions_are_rejected(value: str, versions: tuple[str, ...]) -> None:
    """Data 2.4.10.s3.b2: "An LRS MUST reject all Statements with a version specified that does
    not start with `1.0.`" (1.0.3); Communication 3.3.s3.b6: versions 1.1.0 and above are
    rejected; XAPI-00101 (the suite sends "0.9.9", "1.1.0" and "should fail")."""
    for version in versions:
        assert rejected_at(statement(version=value), version) == "version"
