"""`lms bench ...` commands."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from lms.bench.lab import lab_command

# Figures of the full run and of --quick (a smoke test in well under a minute).
FULL = {"batch_sizes": "1,10,100,1000", "statements_per_size": 5000, "stored": 100_000,
        "page_through": 10_000, "queries": 200}
QUICK = {"batch_sizes": "1,10,100", "statements_per_size": 200, "stored": 3000,
         "page_through": 1000, "queries": 20}


def _int_list(text: str, option: str) -> list[int]:
    try:
        values = [int(item) for item in text.split(",") if item.strip()]
    except ValueError:
        raise click.BadParameter(f"expected comma-separated whole numbers, got {text!r}", param_hint=option) from None
    if not values or any(value < 1 for value in values):
        raise click.BadParameter("expected one or more numbers of at least 1", param_hint=option)
    return values


@click.group("bench")
def bench_group() -> None:
    """Benchmarks of the LRS and of the learning platform."""


@bench_group.command("lrs")
@click.option("--url", required=True, help="xAPI endpoint, e.g. http://127.0.0.1:8000/xapi")
@click.option("--key", required=True, help="LRS credential key (HTTP Basic user name).")
@click.option("--secret", required=True, help="LRS credential secret (HTTP Basic password).")
@click.option("--version", "xapi_version", type=click.Choice(["1.0.3", "2.0.0"]), default="1.0.3", show_default=True)
@click.option("--clients", type=click.IntRange(1, 64), default=4, show_default=True,
              help="Concurrent client processes for ingest and fill.")
@click.option("--batch-sizes", help=f"Statements per POST to measure [default: {FULL['batch_sizes']}].")
@click.option("--statements-per-size", type=click.IntRange(1), help="Statements posted for each batch size "
              f"(at least 2 requests per client) [default: {FULL['statements_per_size']}].")
@click.option("--stored", type=click.IntRange(0), help="Statements this run stores before the queries "
              f"[default: {FULL['stored']}].")
@click.option("--seed", type=int, default=42, show_default=True, help="Seed of the generated data set.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write every figure, the parameters and the environment to this JSON file.")
@click.option("--page-through", type=click.IntRange(1), help="Statements read by following 'more' links "
              f"[default: {FULL['page_through']}].")
@click.option("--queries", type=click.IntRange(1), help=f"Timed queries per filter kind [default: {FULL['queries']}].")
@click.option("--server-pids", help="Comma-separated PIDs of server processes (and their children) to watch the "
              "memory (RSS) and CPU time of.")
@click.option("--watch-rss", is_flag=True, help="Watch the memory (RSS) and CPU time of the local processes "
              "listening on the --url port.")
@click.option("--quick", is_flag=True, help="Small figures for a smoke test: "
              + ", ".join(f"{k.replace('_', '-')} {v}" for k, v in QUICK.items()) + ".")
def lrs_command(url: str, key: str, secret: str, xapi_version: str, clients: int, batch_sizes: str | None,
                statements_per_size: int | None, stored: int | None, seed: int, json_path: Path | None,
                page_through: int | None, queries: int | None, server_pids: str | None, watch_rss: bool,
                quick: bool) -> None:
    """Measure an xAPI LRS (this one or any other) through its standard HTTP API.

    Ingest throughput per batch size, then query latency for each filter with the LRS
    filled to --stored statements, then paging speed. Progress goes to stderr, the table to
    stdout. Exit status: 0 all good, 1 error responses or a failed paging check, 2 the
    benchmark could not run (LRS unreachable, credentials refused, data set already there).
    """
    from lms.bench.client import BenchAborted
    from lms.bench.lrs import BenchSettings, run_benchmark
    from lms.bench.report import format_report, write_json

    defaults = QUICK if quick else FULL
    settings = BenchSettings(
        url=url, key=key, secret=secret, version=xapi_version, clients=clients,
        batch_sizes=_int_list(batch_sizes or defaults["batch_sizes"], "--batch-sizes"),
        statements_per_size=statements_per_size or defaults["statements_per_size"],
        stored=defaults["stored"] if stored is None else stored,
        seed=seed, page_through=page_through or defaults["page_through"],
        queries=queries or defaults["queries"],
        server_pids=_int_list(server_pids, "--server-pids") if server_pids else [],
        watch_rss=watch_rss, quick=quick)
    try:
        report = run_benchmark(settings, progress=lambda line: click.echo(line, err=True))
    except BenchAborted as exc:
        click.echo(f"lms bench lrs: error: {exc}", err=True)
        sys.exit(2)
    click.echo(format_report(report))
    if json_path:
        write_json(report, json_path)
        click.echo(f"JSON report written to {json_path}", err=True)
    paging_ok = report.get("paging", {}).get("ok", True)
    if report["errors_total"] or not paging_ok:
        click.echo(f"lms bench lrs: {report['errors_total']} error responses"
                   + ("" if paging_ok else "; the paging check FAILED"), err=True)
        sys.exit(1)


bench_group.add_command(lab_command)

commands: list = [bench_group]
