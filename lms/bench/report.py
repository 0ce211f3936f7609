"""The LRS benchmark report as a plain-text table (stdout) and as JSON (a file)."""
from __future__ import annotations

import json
from pathlib import Path


def _table(headers: list[str], rows: list[list[object]]) -> list[str]:
    cells = [[str(h) for h in headers]] + [["-" if v is None else str(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(value.rjust(widths[i]) if i else value.ljust(widths[i]) for i, value in enumerate(row))
             for row in cells]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return lines


def format_report(report: dict) -> str:
    """A readable summary of every figure; the JSON file has the complete detail."""
    env = report["environment"]
    lines = [f"LRS benchmark: {env['lrs_url']}  xAPI {env['xapi_version']}  {env['clients']} clients  "
             f"{env['machine_cores']} cores  seed {report['parameters']['seed']}", ""]
    lines.append("Ingest (POST /statements)")
    lines += _table(["batch", "statements", "seconds", "stmts/s", "req/s", "p50 ms", "p95 ms", "max ms", "errors",
                     "server CPU s"],
                    [[p["batch_size"], p["statements"], p["seconds"], p["statements_per_s"], p["requests_per_s"],
                      p["latency"]["p50_ms"], p["latency"]["p95_ms"], p["latency"]["max_ms"], p["errors"]["count"],
                      _cpu_cell(p.get("server_cpu_s"))]
                     for p in report.get("ingest", [])])
    fill = report.get("fill")
    if fill:
        lines += ["", f"Fill: {fill['statements']} statements in {fill['seconds']} s "
                      f"({fill['statements_per_s']} statements/s), {fill['errors']['count']} errors; "
                      f"{report.get('stored_by_this_run')} statements stored by this run"]
    queries = report.get("queries", {})
    if queries:
        lines += ["", "Queries (GET /statements, limit=100)"]
        lines += _table(["filter", "queries", "p50 ms", "p95 ms", "max ms", "empty", "errors"],
                        [[kind, q["count"], q["p50_ms"], q["p95_ms"], q["max_ms"], q["empty_results"],
                          q["errors"]["count"]] for kind, q in queries.items()])
    paging = report.get("paging")
    if paging:
        verdict = "OK" if paging["ok"] else "FAILED"
        lines += ["", f"Paging: {paging['statements']} statements in {paging['pages']} pages, {paging['seconds']} s "
                      f"({paging['statements_per_s']} statements/s); check {verdict}: "
                      f"{paging['duplicates']} duplicates, {paging['missing']} missing, "
                      f"{paging['unexpected']} unexpected, {paging['out_of_order']} out of order"]
    rss = report.get("server_rss")
    if rss:
        lines += ["", f"Server RSS: max {rss['max_rss_mb_per_process']} MB per process, "
                      f"max {rss['max_rss_mb_total']} MB in total ({len(rss['max_rss_mb_by_pid'])} processes)"]
    lines += ["", f"Error responses: {report.get('errors_total', 0)}   Duration: {report.get('duration_s')} s"]
    for example in _error_examples(report):
        lines.append(f"  {example}")
    return "\n".join(lines)


def _cpu_cell(seconds: list[float] | None) -> str | None:
    """CPU seconds per server process, busiest first ("3.1+2.0"); None when not watched."""
    if seconds is None:
        return None
    return "+".join(f"{value:.1f}" for value in seconds) or "0"


def phases(report: dict) -> list[dict]:
    """The figures of every phase that counts errors: ingest sizes, fill, paging, query kinds."""
    found = list(report.get("ingest", [])) + [report.get("fill") or {}, report.get("paging") or {}]
    return found + list(report.get("queries", {}).values())


def _error_examples(report: dict) -> list[str]:
    examples = []
    for phase in phases(report):
        examples.extend(phase.get("errors", {}).get("examples", []))
    return examples[:10]


def write_json(report: dict, path: Path) -> None:
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
