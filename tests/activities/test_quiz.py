"""The quiz plugin through the plugin contract: every question type, feedback, shuffling, interactions."""
from __future__ import annotations

import shutil
from datetime import datetime, timezone

import pytest

from lms.activities.base import LearnerState, ModuleView
from lms.activities.quiz import QuizActivity
from lms.activities.quiz.grading import normalise_text, parse_number
from tests.learn.helpers import COURSE_DIR as FIXTURE

SETTINGS = {"questions": "portal-quiz.toml", "pass_mark": 0.7, "max_attempts": 3, "shuffle": True}


@pytest.fixture(scope="module")
def quiz():
    plugin = QuizActivity()
    content = plugin.load_content(FIXTURE, SETTINGS)
    return plugin, ModuleView("https://x/modules/quiz", "quiz", {"vi": "Q", "en": "Q"}, SETTINGS, content)


def _grade(quiz, form, locale="vi"):
    plugin, view = quiz
    state = plugin.start_attempt(view, seed=1)
    return plugin.handle_submission(view, form, state, locale)


def _one(quiz, form, qid, locale="vi"):
    return next(q for q in _grade(quiz, form, locale).questions if q.question_id == qid)


@pytest.mark.parametrize("form, correct", [
    ({"q-q-single": ["a"]}, True), ({"q-q-single": ["b"]}, False), ({"q-q-single": ["zzz"], "q-q-tf": ["true"]}, False),
])
def test_single_choice(quiz, form, correct):
    assert _one(quiz, form, "q-single").correct is correct


def test_single_choice_per_choice_feedback(quiz):
    result = _one(quiz, {"q-q-single": ["b"]}, "q-single", "en")
    assert result.feedback == "Not quite: it is for applications."
    assert result.details["choice_feedback"] == ["It is not for entertainment."]


@pytest.mark.parametrize("chosen, correct", [
    (["vneid", "otp"], True), (["otp", "vneid"], True), (["vneid"], False), (["vneid", "otp", "share"], False),
])
def test_multiple_choice_needs_exactly_the_correct_set(quiz, chosen, correct):
    result = _one(quiz, {"q-q-multiple": chosen}, "q-multiple")
    assert result.correct is correct and result.points == (2 if correct else 0) and result.max_points == 2


def test_true_false(quiz):
    assert _one(quiz, {"q-q-tf": ["false"]}, "q-tf").correct is True
    assert _one(quiz, {"q-q-tf": ["true"]}, "q-tf").correct is False


@pytest.mark.parametrize("typed, locale, correct", [
    ("Hà Nội", "vi", True), ("  hà   NỘI ", "vi", True), ("thành phố hà nội", "vi", True),
    ("Ha Noi", "vi", False),  # accents count in Vietnamese
    ("Ha Noi", "en", True), ("hanoi", "en", True), ("Hà Nội", "en", False), ("Huế", "vi", False),
])
def test_short_answer_normalisation_per_language(quiz, typed, locale, correct):
    assert _one(quiz, {"q-q-short": [typed]}, "q-short", locale).correct is correct


def test_short_answer_decomposed_unicode_matches():
    import unicodedata

    assert normalise_text(unicodedata.normalize("NFD", "Hà Nội")) == normalise_text("hà nội")


@pytest.mark.parametrize("typed, correct", [("12", True), ("12,0", True), (" 12.0 ", True), ("11", False),
                                            ("twelve", False), ("1.2.3", False)])
def test_numeric(quiz, typed, correct):
    assert _one(quiz, {"q-q-numeric": [typed]}, "q-numeric").correct is correct


def test_numeric_tolerance():
    from lms.activities.quiz.grading import grade_question

    q = {"id": "n", "type": "numeric", "points": 1, "answer": 25, "tolerance": 0.5,
         "feedback_correct": {"vi": "", "en": ""}, "feedback_incorrect": {"vi": "", "en": ""}}
    assert grade_question(q, {"q-n": ["25,5"]}, "vi").correct and not grade_question(q, {"q-n": ["25.6"]}, "vi").correct
    assert parse_number("-2,5") == -2.5 and parse_number("") is None


def test_matching(quiz):
    right = _one(quiz, {"q-q-match-p1": ["p1"], "q-q-match-p2": ["p2"]}, "q-match")
    assert right.correct and right.response == "p1[.]p1_t[,]p2[.]p2_t"
    assert not _one(quiz, {"q-q-match-p1": ["p2"], "q-q-match-p2": ["p1"]}, "q-match").correct
    assert not _one(quiz, {"q-q-match-p1": ["p1"]}, "q-match").correct


def test_ordering(quiz):
    right = {"q-q-order-login": ["1"], "q-q-order-choose": ["2"], "q-q-order-submit": ["3"]}
    assert _one(quiz, right, "q-order").response == "login[,]choose[,]submit"
    assert _one(quiz, right, "q-order").correct
    swapped = {"q-q-order-login": ["2"], "q-q-order-choose": ["1"], "q-q-order-submit": ["3"]}
    assert not _one(quiz, swapped, "q-order").correct
    duplicate = {"q-q-order-login": ["1"], "q-q-order-choose": ["1"], "q-q-order-submit": ["3"]}
    assert not _one(quiz, duplicate, "q-order").correct


def test_score_pass_mark_and_completion(quiz):
    plugin, _view = quiz
    everything = {"q-q-single": ["a"], "q-q-multiple": ["vneid", "otp"], "q-q-tf": ["false"], "q-q-short": ["Hà Nội"],
                  "q-q-numeric": ["12"], "q-q-match-p1": ["p1"], "q-q-match-p2": ["p2"], "q-q-order-login": ["1"],
                  "q-q-order-choose": ["2"], "q-q-order-submit": ["3"]}
    outcome = _grade(quiz, everything)
    assert (outcome.score_raw, outcome.score_max, outcome.score_scaled, outcome.success) == (8, 8, 1.0, True)
    partial = dict(everything, **{"q-q-multiple": ["vneid"], "q-q-numeric": ["1"]})  # 5 of 8 = 0.625 < 0.7
    outcome = _grade(quiz, partial)
    assert (outcome.score_raw, outcome.success, outcome.completion) == (5, False, False)
    assert plugin.completion_rule({"passed": True}) and not plugin.completion_rule({"passed": False})


def test_empty_submission_is_refused_without_an_outcome(quiz):
    outcome = _grade(quiz, {})
    assert not outcome.is_valid and outcome.errors == ["no-answer"]


def test_shuffle_changes_order_but_keeps_all_questions(quiz):
    plugin, view = quiz
    orders = {tuple(plugin.start_attempt(view, seed)["order"]) for seed in range(20)}
    assert len(orders) > 1 and all(sorted(o) == sorted(q["id"] for q in view.content["questions"]) for o in orders)
    for seed in range(20):  # ordering items never start in the correct order
        assert plugin.start_attempt(view, seed)["items"]["q-order"] != ["login", "choose", "submit"]
    unshuffled = ModuleView(view.iri, view.key, view.title, dict(SETTINGS, shuffle=False), view.content)
    assert plugin.start_attempt(unshuffled, 5)["order"] == [q["id"] for q in view.content["questions"]]


def test_render_form_then_review(app, quiz):
    plugin, view = quiz
    state = plugin.start_attempt(view, seed=3)
    with app.test_request_context("/"):
        form = plugin.render(view, LearnerState(locale="vi", attempt_state=state, form_action="/a"), "vi")
        assert form.count("<fieldset") == 7 and 'name="q-q-match-p1"' in form and 'type="checkbox"' in form
        outcome = plugin.handle_submission(view, {"q-q-short": ["Huế"]}, state, "vi")
        last = {"score_raw": outcome.score_raw, "score_max": outcome.score_max, "scaled": outcome.score_scaled,
                "success": outcome.success, "questions": [vars(q) for q in outcome.questions]}
        review = plugin.render(view, LearnerState(locale="vi", last_outcome=last, can_attempt=True), "vi")
        assert "Chưa đạt" in review and "Thủ đô là Hà Nội." in review and "Làm lại" in review
        assert "Đáp án đúng" not in review  # answers are shown only after passing or the last attempt
        final = plugin.render(view, LearnerState(locale="vi", last_outcome=last, can_attempt=False), "vi")
        assert "Đáp án đúng: Hà Nội" in final and "Bạn đã dùng hết số lần làm bài." in final


def test_interaction_definitions_are_valid_xapi(quiz):
    """Data §2.4.4.1.1 (interaction activities): every question becomes a valid answered statement."""
    from lms.learn.statements import ActivityRef, Learner, StatementBuilder, answer_result
    from xapi.schemas import validate_statement

    plugin, view = quiz
    definitions = plugin.interaction_definitions(view)
    kinds = {d["interactionType"] for d in definitions.values()}
    assert kinds == {"choice", "true-false", "fill-in", "numeric", "matching", "sequencing"}
    builder = StatementBuilder("http://lms.test", Learner("abc"), "0c42b654-e0f7-4079-b548-1d2eb6e1e271",
                               ActivityRef("https://x", {"vi": "K", "en": "C"}, "http://adlnet.gov/expapi/activities/course"),
                               "vi", datetime.now(timezone.utc))
    outcome = _grade(quiz, {"q-q-single": ["a"], "q-q-match-p1": ["p1"]})
    for result in outcome.questions:
        definition = {k: v for k, v in definitions[result.question_id].items() if k not in ("name", "type")}
        statement = builder.build("answered", ActivityRef(f"https://x/q/{result.question_id}", {"vi": "q", "en": "q"},
                                                          "http://adlnet.gov/expapi/activities/cmi.interaction"),
                                  (1, result.question_id), result=answer_result(result.correct, result.response, 1),
                                  definition=definition)
        validate_statement(statement, "1.0.3")


def test_questions_file_problems_have_lines(tmp_path):
    folder = tmp_path / "c"
    shutil.copytree(FIXTURE, folder)
    text = (folder / "portal-quiz.toml").read_text(encoding="utf-8")
    text = text.replace('type = "truefalse"', 'type = "essay"').replace("answer = 12", 'answer = "12"')
    text = text.replace('  correct = true\n  [[questions.choices]]\n  id = "b"', '  [[questions.choices]]\n  id = "b"', 1)
    (folder / "portal-quiz.toml").write_text(text, encoding="utf-8")
    problems = [str(p) for p in QuizActivity().validate_package(folder, SETTINGS)]
    lines = text.splitlines()
    essay_line = lines.index('type = "essay"') + 1
    numeric_line = lines.index('answer = "12"') + 1
    assert any(p.startswith(f"portal-quiz.toml:{essay_line}: questions[2].type: type must be one of") for p in problems)
    assert f"portal-quiz.toml:{numeric_line}: questions[4].answer: a numeric question needs a number as answer" in problems
    assert any("exactly one correct choice, has 0" in p for p in problems)


def test_questions_file_syntax_error_has_line(tmp_path):
    folder = tmp_path / "c"
    shutil.copytree(FIXTURE, folder)
    (folder / "portal-quiz.toml").write_text('[[questions]]\nid = "q1"\nprompt = { vi = "x", en = \n', encoding="utf-8")
    problems = QuizActivity().validate_package(folder, SETTINGS)
    assert len(problems) == 1 and problems[0].line == 3 and "TOML syntax error" in problems[0].message


def test_export_round_trip(tmp_path, quiz):
    import tomllib

    from lms.activities.quiz.questions import check_questions_file
    from lms.activities.tomlfile import LineIndex, TomlFile

    plugin, view = quiz
    text = plugin.export_files(SETTINGS, view.content)["portal-quiz.toml"].decode("utf-8")
    data = tomllib.loads(text)
    questions, problems = check_questions_file(TomlFile("x", data, LineIndex.build(text)))
    assert problems == [] and questions == view.content["questions"]


# Numbers as Vietnamese and English learners type them (issue 7; rules in docs/content/authoring.md).
@pytest.mark.parametrize("typed, expected", [
    ("1.500.000", 1500000), ("1 500 000", 1500000), ("1\u00a0500\u00a0000", 1500000), ("1\u202f500\u202f000", 1500000),
    ("1,500,000", 1500000), ("3,5", 3.5), ("3.5", 3.5), ("1.500.000,5", 1500000.5), ("1,500,000.5", 1500000.5),
    ("1 500 000,5", 1500000.5), ("0,125", 0.125), ("1500.000", 1500), ("1500", 1500), ("-2,5", -2.5),
    ("\u22122,5", -2.5), ("+7", 7), (",5", 0.5), ("5,", 5), (" 12.0 ", 12),
])
@pytest.mark.parametrize("locale", ["vi", "en"])
def test_unambiguous_numbers_read_the_same_in_both_languages(typed, expected, locale):
    assert parse_number(typed, locale) == expected


@pytest.mark.parametrize("typed, vi, en", [
    ("1.500", 1500, 1.5), ("1,500", 1.5, 1500), ("12.345", 12345, 12.345), ("999,999", 999.999, 999999),
    ("2.024", 2024, 2.024),
])
def test_ambiguous_numbers_follow_the_interface_language(typed, vi, en):
    """vi: "." groups thousands and "," is the decimal mark; en: the reverse."""
    assert parse_number(typed, "vi") == vi and parse_number(typed, "en") == en


@pytest.mark.parametrize("typed", ["", "-", ".", "abc", "1e5", "1.2.3", "1..5", "1,5,3", "1.5,3", "1,500.000,5",
                                   "1.50.000", "15 00", "1 5", "1 500.000,5", "12 34", "1\u0662", "0x10", "1/2"])
def test_malformed_numbers_are_not_numbers(typed):
    assert parse_number(typed, "vi") is None and parse_number(typed, "en") is None


def _numeric(answer, tolerance=0):
    return {"id": "n", "type": "numeric", "points": 1, "answer": answer, "tolerance": tolerance,
            "prompt": {"vi": "Bao nhiêu?", "en": "How much?"},
            "feedback_correct": {"vi": "", "en": ""}, "feedback_incorrect": {"vi": "", "en": ""}}


@pytest.mark.parametrize("typed, locale, correct", [
    ("1.500.000", "vi", True), ("1 500 000", "vi", True), ("1,500,000", "en", True), ("1.500.000", "en", True),
    ("1500000", "en", True), ("1.500", "vi", False), ("1,5", "vi", False), ("1.5", "en", False),
])
def test_numeric_question_with_thousands_separators(typed, locale, correct):
    from lms.activities.quiz.grading import grade_question

    result = grade_question(_numeric(1500000), {"q-n": [typed]}, locale)
    assert result.correct is correct
    assert result.response == ("1500000" if correct else result.response)  # kept plain, for xAPI and review


def test_ambiguous_answer_is_graded_in_the_learners_language():
    from lms.activities.quiz.grading import grade_question

    thousand_and_a_half = _numeric(1500)
    assert grade_question(thousand_and_a_half, {"q-n": ["1.500"]}, "vi").correct
    assert not grade_question(thousand_and_a_half, {"q-n": ["1.500"]}, "en").correct
    one_and_a_half = _numeric(1.5)
    assert grade_question(one_and_a_half, {"q-n": ["1.500"]}, "en").correct
    assert grade_question(one_and_a_half, {"q-n": ["1,500"]}, "vi").correct
    assert grade_question(one_and_a_half, {"q-n": ["1,5"]}, "en").correct  # unambiguous decimal comma


def test_numbers_are_recorded_plain_and_shown_in_the_learners_language():
    from lms.activities.quiz.activity import describe_answer, describe_response
    from lms.activities.quiz.grading import display_number, grade_question, interaction_definition, plain_number

    question = _numeric(2400000, tolerance=0.5)
    result = grade_question(question, {"q-n": ["2.400.000,25"]}, "vi")
    assert result.correct and result.response == "2400000.25"
    assert describe_response(question, result.response, "vi") == "2.400.000,25"
    assert describe_response(question, result.response, "en") == "2,400,000.25"
    assert describe_response(question, "hai triệu", "vi") == "hai triệu"  # not a number: shown as typed
    assert describe_answer(question, "vi") == "2.400.000 (± 0,5)"
    assert describe_answer(question, "en") == "2,400,000 (± 0.5)"
    assert interaction_definition(question)["correctResponsesPattern"] == ["2399999.5[:]2400000.5"]
    assert interaction_definition(_numeric(2400000))["correctResponsesPattern"] == ["2400000"]
    assert display_number(2024, "vi") == "2024" and plain_number(-0.0) == "0" and plain_number(1e-7) == "0.0000001"
    for value in (1500000, 3.5, 12345.678, -0.25, 2024):  # what a learner is shown can be typed back
        for locale in ("vi", "en"):
            assert parse_number(display_number(value, locale), locale) == value
