"""Grading quiz answers and describing questions as xAPI interactions; pure functions, no database."""
from __future__ import annotations

import random
import re
import unicodedata
from decimal import Decimal
from typing import Any

from lms.activities.base import Outcome, QuestionResult
from xapi.vocabulary import ACTIVITY_TYPES

_SPACES = re.compile(r"\s+")


def _lang_map(texts: dict[str, str]) -> dict[str, str]:
    return {"vi-VN": texts.get("vi", ""), "en-US": texts.get("en", "")}


def normalise_text(value: str) -> str:
    """Trimmed, case-folded, whitespace-collapsed, NFC (so accents still count: "ha noi" != "hà nội")."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip().casefold()


GROUP_MARK = {"vi": ".", "en": ","}  # the thousands mark of an ambiguous "1.500" / "1,500" per language
_SPACE_GROUPS = re.compile(r"[ \u00a0\u202f\u2009]+")
_PLAIN_CHARS = re.compile(r"^[0-9.,]+$")
_DIGITS = re.compile(r"^[0-9]+$")
PLAIN_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")  # what plain_number writes


def parse_number(raw: str, locale: str = "vi") -> float | None:
    """A number as a learner types it; None when it is not one. The rules (docs/content/authoring.md):

    * a leading ``+``/``-`` (or the minus sign ``−``) is allowed;
    * spaces (also no-break and thin spaces) only group thousands: ``1 500 000``; then a single ``.``
      or ``,`` is the decimal mark: ``1 500,5``;
    * with both ``.`` and ``,`` the last one is the decimal mark and the other groups thousands:
      ``1.500.000,5`` and ``1,500,000.5``;
    * a mark written more than once groups thousands: ``1.500.000``, ``1,500,000``;
    * a single mark is the decimal mark (``3,5``, ``3.5``, ``0,125``, ``1500.000``) unless it is
      followed by exactly three digits after one to three digits not starting with 0: that is
      ambiguous (``1.500``, ``12,345``) and the learner's language decides: in Vietnamese ``.``
      groups and ``,`` is decimal (1.500 = 1500, 1,500 = 1.5); in English the reverse.

    Thousands groups must be well formed (1-3 digits, then groups of exactly 3), else it is no number.
    """
    text = raw.strip().replace("\u2212", "-")
    sign = -1.0 if text.startswith("-") else 1.0
    text = text[1:].lstrip() if text[:1] in "+-" else text
    if _SPACE_GROUPS.search(text):
        return _spaced_number(_SPACE_GROUPS.sub(" ", text), sign)
    if not text or not _PLAIN_CHARS.match(text):
        return None
    marks = [mark for mark in ".," if mark in text]
    if len(marks) == 2:
        decimal = "." if text.rfind(".") > text.rfind(",") else ","
        whole, _mark, fraction = text.rpartition(decimal)
        return _grouped(whole, "," if decimal == "." else ".", fraction, sign) if decimal not in whole else None
    if not marks:
        return sign * float(text)
    mark = marks[0]
    if text.count(mark) > 1:
        return _grouped(text, mark, "", sign)
    whole, _mark, fraction = text.partition(mark)
    ambiguous = len(fraction) == 3 and 1 <= len(whole) <= 3 and not whole.startswith("0")
    if ambiguous and mark == GROUP_MARK.get(locale, GROUP_MARK["vi"]):
        return _decimal(whole + fraction, "", sign)
    return _decimal(whole, fraction, sign)


def _digits(text: str) -> bool:
    return bool(_DIGITS.match(text))


def _decimal(whole: str, fraction: str, sign: float) -> float | None:
    """``whole`` and ``fraction`` digits (either may be empty, not both) as a signed number."""
    if not (whole or fraction) or (whole and not _digits(whole)) or (fraction and not _digits(fraction)):
        return None
    return sign * float(f"{whole or '0'}.{fraction or '0'}")


def _grouped(whole: str, group: str, fraction: str, sign: float) -> float | None:
    """``whole`` with ``group`` between thousands (1-3 digits, then groups of exactly 3)."""
    if not re.fullmatch(rf"[0-9]{{1,3}}(?:{re.escape(group)}[0-9]{{3}})+", whole):
        return None
    return _decimal(whole.replace(group, ""), fraction, sign)


def _spaced_number(text: str, sign: float) -> float | None:
    """``1 500 000`` or ``1 500 000,5``: spaces group thousands, one ``.`` or ``,`` is the decimal mark."""
    marks = [c for c in text if c in ".,"]
    if len(marks) > 1:
        return None
    whole, _mark, fraction = text.partition(marks[0]) if marks else (text, "", "")
    return _grouped(whole, " ", fraction, sign)


def plain_number(value: float) -> str:
    """A number without exponent or trailing zeros, as xAPI and the records keep it: 1500000, 3.5, -0.25."""
    text = format(Decimal(repr(float(value))).normalize(), "f")
    return "0" if text in ("-0", "0") else text


def display_number(value: float, locale: str) -> str:
    """A number for a learner to read: the language's decimal mark, thousands grouped from 10 000 on
    (so a year stays 2024): vi 1.500.000 and 3,5; en 1,500,000 and 3.5."""
    group = GROUP_MARK.get(locale, GROUP_MARK["vi"])
    decimal = "," if group == "." else "."
    text = plain_number(value)
    negative = text.startswith("-")
    whole, _dot, fraction = text.lstrip("-").partition(".")
    if len(whole) > 4:
        whole = f"{int(whole):,}".replace(",", group)
    return ("-" if negative else "") + whole + (decimal + fraction if fraction else "")


def new_attempt_state(questions: list[dict], shuffle: bool, seed: int) -> dict[str, Any]:
    """Question and choice order of a new attempt. Matching targets and ordering items are always mixed."""
    rng = random.Random(seed)
    order = [q["id"] for q in questions]
    if shuffle:
        rng.shuffle(order)
    choices, targets, items = {}, {}, {}
    for q in questions:
        if q["type"] in ("single", "multiple"):
            ids = [c["id"] for c in q["choices"]]
            if shuffle:
                rng.shuffle(ids)
            choices[q["id"]] = ids
        elif q["type"] == "matching":
            ids = [p["id"] for p in q["pairs"]]
            rng.shuffle(ids)
            targets[q["id"]] = ids
        elif q["type"] == "ordering":
            ids = [i["id"] for i in q["items"]]
            correct = list(ids)
            rng.shuffle(ids)
            if ids == correct:  # showing the answer as the starting order would make it no question
                ids = ids[1:] + ids[:1]
            items[q["id"]] = ids
    return {"order": order, "choices": choices, "targets": targets, "items": items, "seed": seed}


def _field(form: dict[str, list[str]], name: str) -> list[str]:
    return [v for v in form.get(name, []) if v != ""]


def _grade_choice(q: dict, form: dict[str, list[str]]) -> tuple[bool, str, bool]:
    known = [c["id"] for c in q["choices"]]
    chosen = [c for c in known if c in _field(form, f"q-{q['id']}")]
    if q["type"] == "single":
        chosen = chosen[:1]
    correct = {c["id"] for c in q["choices"] if c["correct"]}
    return set(chosen) == correct, "[,]".join(chosen), bool(chosen)


def _grade_truefalse(q: dict, form: dict[str, list[str]]) -> tuple[bool, str, bool]:
    values = [v for v in _field(form, f"q-{q['id']}") if v in ("true", "false")]
    if not values:
        return False, "", False
    return (values[0] == "true") == q["answer"], values[0], True


def _grade_short(q: dict, form: dict[str, list[str]], locale: str) -> tuple[bool, str, bool]:
    values = _field(form, f"q-{q['id']}")
    typed = values[0].strip() if values else ""
    accepted = {normalise_text(a) for a in q["answers"].get(locale) or q["answers"]["vi"]}
    return normalise_text(typed) in accepted, typed, bool(typed)


def _grade_numeric(q: dict, form: dict[str, list[str]], locale: str) -> tuple[bool, str, bool]:
    values = _field(form, f"q-{q['id']}")
    typed = values[0].strip() if values else ""
    number = parse_number(typed, locale)
    if number is None:
        return False, typed, bool(typed)
    return abs(number - q["answer"]) <= q["tolerance"] + 1e-9, plain_number(number), True


def _grade_matching(q: dict, form: dict[str, list[str]]) -> tuple[bool, str, bool]:
    pairs = [p["id"] for p in q["pairs"]]
    chosen = {}
    for pid in pairs:
        values = [v for v in _field(form, f"q-{q['id']}-{pid}") if v in pairs]
        if values:
            chosen[pid] = values[0]
    response = "[,]".join(f"{pid}[.]{target}_t" for pid, target in chosen.items())
    return all(chosen.get(pid) == pid for pid in pairs), response, bool(chosen)


def _grade_ordering(q: dict, form: dict[str, list[str]]) -> tuple[bool, str, bool]:
    ids = [i["id"] for i in q["items"]]
    positions: dict[str, int] = {}
    for item in ids:
        values = _field(form, f"q-{q['id']}-{item}")
        if values and values[0].isdigit():
            positions[item] = int(values[0])
    if not positions:
        return False, "", False
    ordered = sorted(positions, key=lambda item: (positions[item], ids.index(item)))
    distinct = len(set(positions.values())) == len(ids) == len(positions)
    return distinct and ordered == ids, "[,]".join(ordered), True


def grade_question(q: dict, form: dict[str, list[str]], locale: str) -> QuestionResult:
    """Grade one question: all or nothing, with the feedback the learner should see."""
    kind = q["type"]
    if kind in ("single", "multiple"):
        correct, response, answered = _grade_choice(q, form)
    elif kind == "truefalse":
        correct, response, answered = _grade_truefalse(q, form)
    elif kind == "short":
        correct, response, answered = _grade_short(q, form, locale)
    elif kind == "numeric":
        correct, response, answered = _grade_numeric(q, form, locale)
    elif kind == "matching":
        correct, response, answered = _grade_matching(q, form)
    else:
        correct, response, answered = _grade_ordering(q, form)
    feedback = (q["feedback_correct"] if correct else q["feedback_incorrect"]).get(locale, "")
    chosen_feedback = []
    if kind in ("single", "multiple"):
        picked = set(response.split("[,]"))
        chosen_feedback = [c["feedback"].get(locale, "") for c in q["choices"] if c["id"] in picked and c.get("feedback")]
    return QuestionResult(q["id"], correct, q["points"] if correct else 0, q["points"], response, feedback,
                          {"answered": answered, "choice_feedback": chosen_feedback})


def grade(questions: list[dict], form: dict[str, list[str]], state: dict[str, Any], locale: str,
          pass_mark: float) -> Outcome:
    """Grade a whole submission in the order the learner saw the questions."""
    by_id = {q["id"]: q for q in questions}
    order = [qid for qid in state.get("order", []) if qid in by_id] or list(by_id)
    results = [grade_question(by_id[qid], form, locale) for qid in order]
    if not any(r.details["answered"] for r in results):
        return Outcome(errors=["no-answer"])
    raw = sum(r.points for r in results)
    maximum = sum(r.max_points for r in results)
    outcome = Outcome(score_raw=raw, score_max=maximum, questions=results,
                      response={r.question_id: r.response for r in results})
    outcome.success = (outcome.score_scaled or 0) + 1e-9 >= pass_mark
    outcome.completion = outcome.success
    return outcome


def _components(entries: list[dict], text_key: str, suffix: str = "") -> list[dict]:
    return [{"id": e["id"] + suffix, "description": _lang_map(e[text_key])} for e in entries]


def interaction_definition(q: dict) -> dict[str, Any]:
    """The xAPI activity definition of a question (Data §2.4.4.1.1 interaction activities)."""
    definition: dict[str, Any] = {"name": _lang_map(q["prompt"]), "type": ACTIVITY_TYPES["interaction"]}
    kind = q["type"]
    if kind in ("single", "multiple"):
        definition.update(interactionType="choice", choices=_components(q["choices"], "text"),
                          correctResponsesPattern=["[,]".join(c["id"] for c in q["choices"] if c["correct"])])
    elif kind == "truefalse":
        definition.update(interactionType="true-false", correctResponsesPattern=[str(q["answer"]).lower()])
    elif kind == "short":
        answers = list(dict.fromkeys(q["answers"]["vi"] + q["answers"]["en"]))
        definition.update(interactionType="fill-in",
                          correctResponsesPattern=[f"{{case_matters=false}}{a}" for a in answers])
    elif kind == "numeric":
        low, high = q["answer"] - q["tolerance"], q["answer"] + q["tolerance"]
        pattern = plain_number(q["answer"]) if q["tolerance"] == 0 else f"{plain_number(low)}[:]{plain_number(high)}"
        definition.update(interactionType="numeric", correctResponsesPattern=[pattern])
    elif kind == "matching":
        definition.update(interactionType="matching", source=_components(q["pairs"], "source"),
                          target=_components(q["pairs"], "target", "_t"),
                          correctResponsesPattern=["[,]".join(f"{p['id']}[.]{p['id']}_t" for p in q["pairs"])])
    else:
        definition.update(interactionType="sequencing", choices=_components(q["items"], "text"),
                          correctResponsesPattern=["[,]".join(i["id"] for i in q["items"])])
    return definition
