"""Read side of the LRS benchmark: query latency for each filter, and paging through ``more``."""
from __future__ import annotations

import json
import random
import time
from datetime import datetime, timedelta, timezone
from typing import Callable

from lms.bench import dataset
from lms.bench.client import BenchAborted, ErrorLog, LrsClient, Response, error_detail
from lms.bench.stats import latency_summary, rate

QUERY_LIMIT = 100
WARM_UP = 3  # queries of each kind run first and not counted (cold caches, first connection)
FILTERS = ("agent", "verb", "activity", "related_activities", "registration", "since_until",
           "statementId", "agent_verb")


def query_parameters(kind: str, seed: int, stored: int, rng: random.Random,
                     window: tuple[datetime, datetime], anchor: datetime | None = None) -> dict:
    """Parameters of one query of ``kind`` that targets data this run has stored.

    A since/until window is 1/20 of ``window`` (the stored times of this run), centred on
    ``anchor`` (the stored time of one statement) when given, so it is never empty.
    """
    index = rng.randrange(stored)
    sitting = dataset.session(seed, index // dataset.SESSION_LENGTH)
    agent = json.dumps(dataset.actor(seed, sitting.learner), separators=(",", ":"))
    verb = rng.choice(["launched", "experienced", "answered", "completed"])
    params: dict = {"limit": QUERY_LIMIT}
    if kind == "agent":
        params["agent"] = agent
    elif kind == "verb":
        params["verb"] = dataset.VERBS[verb]["id"]
    elif kind == "activity":
        params["activity"] = dataset.module_iri(sitting.course, "quiz")
    elif kind == "related_activities":
        params.update(activity=dataset.course_iri(sitting.course), related_activities="true")
    elif kind == "registration":
        params["registration"] = sitting.registration
    elif kind == "since_until":
        width = (window[1] - window[0]) / 20
        since = anchor - width / 2 if anchor else window[0] + (window[1] - window[0] - width) * rng.random()
        params.update(since=_iso(since), until=_iso(since + width))
    elif kind == "statementId":
        return {"statementId": dataset.statement_id(seed, index)}
    elif kind == "agent_verb":
        params.update(agent=agent, verb=dataset.VERBS[verb]["id"])
    else:
        raise ValueError(f"unknown query kind {kind!r}")
    return params


def run_queries(client: LrsClient, seed: int, stored: int, per_kind: int, window: tuple[datetime, datetime],
                progress: Callable[[str], None]) -> dict:
    """``per_kind`` timed queries of each filter kind, run one after another."""
    rng = random.Random(f"{seed}/queries")
    report = {}
    for kind in FILTERS:
        latencies: list[float] = []
        errors, empty = ErrorLog(), 0
        for number in range(WARM_UP + per_kind):
            anchor = _stored_time(client, seed, rng.randrange(stored)) if kind == "since_until" else None
            params = query_parameters(kind, seed, stored, rng, window, anchor)
            try:
                response = client.get_statements(params)
            except OSError as exc:
                errors.add(f"GET statements ({kind})", "connection", str(exc))
                continue
            timed = number >= WARM_UP
            if timed:
                latencies.append(response.seconds)
            found = _statement_count(response)
            if found is None:  # errors count even in the warm-up: they are never hidden
                errors.add(f"GET statements ({kind})", response.status, error_detail(response))
            elif found == 0 and timed:
                empty += 1
        report[kind] = {**latency_summary(latencies), "empty_results": empty, "errors": errors.as_dict(),
                        "example": params}
        progress(f"  {kind}: p95 {report[kind]['p95_ms']} ms")
    return report


def _statement_count(response: Response) -> int | None:
    """Statements in a 200 answer (1 for a single statement); None when the answer is an error."""
    if response.status != 200:
        return None
    try:
        data = json.loads(response.body)
    except ValueError:
        return None
    if isinstance(data, dict) and isinstance(data.get("statements"), list):
        return len(data["statements"])
    return 1 if isinstance(data, dict) and "id" in data else None


def stored_window(client: LrsClient, seed: int) -> tuple[datetime, datetime]:
    """The ``stored`` times of the first statement of this run and of the newest one in the LRS."""
    first = client.get_statements({"statementId": dataset.statement_id(seed, 0)})
    newest = client.get_statements({"limit": 1})
    try:
        low = _parse(first.json()["stored"])
        high = _parse(newest.json()["statements"][0]["stored"])
    except (ValueError, KeyError, IndexError, TypeError):
        raise BenchAborted(f"cannot read the stored times of the statements: {first.status} "
                           f"{error_detail(first)} / {newest.status} {error_detail(newest)}") from None
    return low, max(high, low + timedelta(milliseconds=1))


def page_through(client: LrsClient, wanted: int, tail: list[list[str]]) -> dict:
    """Read ``wanted`` statements, newest first, following ``more``; check them against ``tail``.

    ``tail`` lists the id sets of the last batches this run posted one after another, newest
    first: the first statements paged must be exactly those, batch by batch, with no repeat.
    """
    ids: list[str] = []
    stored: list[str] = []
    errors, pages = ErrorLog(), 0
    started = time.perf_counter()
    response = client.get_statements({"limit": min(500, wanted)})
    while True:
        pages += 1
        if response.status != 200:
            errors.add("GET statements (paging)", response.status, error_detail(response))
            break
        try:
            data = response.json()
            page = [(statement["id"], statement.get("stored", "")) for statement in data["statements"]]
        except (ValueError, KeyError, TypeError):
            errors.add("GET statements (paging)", response.status, "not a StatementResult")
            break
        for statement_id, stored_at in page:
            ids.append(statement_id)
            stored.append(stored_at)
        more = data.get("more") or ""
        if len(ids) >= wanted or not more:
            break
        response = client.get_more(more)
    seconds = time.perf_counter() - started
    ids = ids[:wanted]
    report = {"statements": len(ids), "pages": pages, "seconds": round(seconds, 3),
              "statements_per_s": rate(len(ids), seconds), "errors": errors.as_dict()}
    report.update(check_paging(ids, [_parse_or_none(s) for s in stored[:wanted]], tail))
    return report


def check_paging(ids: list[str], stored: list[datetime | None], tail: list[list[str]]) -> dict:
    """Duplicates, gaps and order of a paged sequence against the batches posted last."""
    duplicates = len(ids) - len(set(ids))
    out_of_order = sum(1 for a, b in zip(stored, stored[1:]) if a is None or b is None or b > a)
    missing = unexpected = 0
    position = 0
    for batch in tail:
        chunk = set(ids[position:position + len(batch)])
        position += len(batch)
        expected = set(batch)
        unexpected += len(chunk - expected)
        if position <= len(ids):
            missing += len(expected - chunk)
        if position >= len(ids):
            break
    unexpected += max(0, len(ids) - position)
    ok = not (duplicates or out_of_order or missing or unexpected)
    return {"duplicates": duplicates, "missing": missing, "unexpected": unexpected,
            "out_of_order": out_of_order, "ok": ok}


def _stored_time(client: LrsClient, seed: int, index: int) -> datetime | None:
    """When the LRS stored statement ``index`` of the stream (an untimed look-up)."""
    try:
        return _parse(client.get_statements({"statementId": dataset.statement_id(seed, index)}).json()["stored"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _parse(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _parse_or_none(text: str) -> datetime | None:
    try:
        return _parse(text)
    except (ValueError, AttributeError):
        return None
