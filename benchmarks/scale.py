"""Issue 13: the bot against its framework's floor, the disk's ceiling, reports and sending,
at growing sizes; every comparison is a ratio of figures measured in the same run.

``python -m benchmarks.scale [--people 100,1000] [--growth-people 5000] [--needs ...]`` prints
the section and (with ``--write``) puts it at the top of BENCHMARKS.md's history.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from benchmarks.flows import VARIANTS, FlowResult, run_flows
from benchmarks.reports import ReportResult, run_reports
from benchmarks.sending import SendingResult, outbox_sending
from storage.database import Database

__all__ = ["commit_ceiling", "main"]

BENCHMARKS_MD = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"
CEILING_SECONDS = 3.0
TARGET_PEOPLE = 1000
# Growth: the bot alone at the largest size (its floors are measured at the sizes above; at
# 5,000 people they would add two and a half minutes to `make bench`'s ten).
GROWTH_PEOPLE = 5000
# Latency: a fixed rate every contestant sustains on a shared 2-core machine (the durable
# floor's measured throughput varies between 420 and 870 a second from run to run), with fewer
# people than the largest size so that each contestant takes ten seconds (1,000 updates), not
# four minutes.
LATENCY_RATE = 100.0
LATENCY_PEOPLE = 40
SENT_MESSAGES = 1000


async def commit_ceiling(directory: Path) -> float:
    """Single-row commits a second on this disk, with the project's pragmas (one fsync each)."""
    database = await Database.open(directory / "ceiling.sqlite3")
    try:
        await database.connection.execute("CREATE TABLE rows (value TEXT)")
        commits = 0
        started = time.perf_counter()
        while time.perf_counter() - started < CEILING_SECONDS:
            await database.connection.execute("INSERT INTO rows VALUES ('an answer')")
            commits += 1
        return commits / (time.perf_counter() - started)
    finally:
        await database.close()


def _machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, {memory:.0f} GiB, "
        f"Python {platform.python_version()}, SQLite {__import__('sqlite3').sqlite_version}"
    )


def _flow_table(results: list[FlowResult]) -> list[str]:
    lines = [
        "| contestant | people | offered | updates | updates/s | p50 | p95 | p99 | peak RSS"
        " | commits/update |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        offered = f"{r.rate:,.0f}/s" if r.rate else "closed loop"
        lines.append(
            f"| {r.variant} | {r.people:,} | {offered} | {r.updates:,} | {r.per_second:,.0f} |"
            f" {r.p50_ms:.1f} ms | {r.p95_ms:.1f} ms | {r.p99_ms:.1f} ms |"
            f" {r.peak_rss_mb:.0f} MB | {r.commits / r.updates:.3f} |"
        )
    return lines


def _ratios(results: list[FlowResult], ceiling: float) -> list[str]:
    by = {(r.variant, r.people): r for r in results if not r.rate}
    lines = [
        "| people | bot / durable floor (target ≥ 1.0) | bot / no-storage floor (target ≥ 0.3)"
        " | answers committed/s / raw commits/s (target ≥ 0.5) |",
        "| --- | --- | --- | --- |",
    ]
    for people in sorted({people for variant, people in by if variant == "floor-durable"}):
        bot = by[("bot", people)]
        lines.append(
            f"| {people:,} | {bot.per_second / by[('floor-durable', people)].per_second:.2f} |"
            f" {bot.per_second / by[('floor-memory', people)].per_second:.2f} |"
            f" {bot.per_second:,.0f} / {ceiling:,.0f} = {bot.per_second / ceiling:.2f} |"
        )
    return lines


def _growth(flows: list[FlowResult], reports: list[ReportResult]) -> list[str]:
    """How time and memory grow with size: each size against the smallest."""
    bots = sorted((r for r in flows if r.variant == "bot" and not r.rate), key=lambda r: r.people)
    first = bots[0]
    lines = [
        "| people | updates | updates/s | time per update relative to the smallest | peak RSS |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in bots:
        lines.append(
            f"| {r.people:,} | {r.updates:,} | {r.per_second:,.0f} |"
            f" {first.per_second / r.per_second:.2f} | {r.peak_rss_mb:.0f} MB |"
        )
    smallest = reports[0]
    names = list(smallest.seconds)
    lines += [
        "",
        "| needs | size relative to the smallest | "
        + " | ".join(f"{name}: time relative to the smallest" for name in names)
        + " | peak RSS |",
        "| --- | --- | " + " | ".join("---" for _ in names) + " | --- |",
    ]
    for r in reports:
        growth = " | ".join(
            f"{r.seconds[name] / smallest.seconds[name]:.1f}" if name in r.seconds else "not timed"
            for name in names
        )
        lines.append(
            f"| {r.needs:,} | {r.needs / smallest.needs:.0f} | {growth} | {r.peak_rss_mb:.0f} MB |"
        )
    return lines


def _report_tables(results: list[ReportResult]) -> list[str]:
    names = list(results[0].seconds)
    lines = [
        "| needs | generate | " + " | ".join(names) + " | peak RSS |",
        "| --- | --- | " + " | ".join("---" for _ in names) + " | --- |",
    ]
    for r in results:
        timings = " | ".join(
            f"{r.seconds[name]:.2f} s" if name in r.seconds else "not timed" for name in names
        )
        lines.append(
            f"| {r.needs:,} | {r.generate_seconds:.1f} s | {timings} | {r.peak_rss_mb:.0f} MB |"
        )
    largest = results[-1]
    lines += ["", f"What each produced at {largest.needs:,} needs:", ""]
    lines += [f"- {name}: {note}" for name, note in largest.notes.items()]
    lines += ["", f"Query plans at {largest.needs:,} needs (`EXPLAIN QUERY PLAN`):", "", "```"]
    for shape, plan in largest.plans.items():
        lines += [shape, *(f"    {step}" for step in plan)]
    lines.append("```")
    return lines


def section(
    command: str,
    flows: list[FlowResult],
    ceiling: float,
    reports: list[ReportResult],
    sending: SendingResult,
) -> list[str]:
    """The dated section for BENCHMARKS.md."""
    return [
        f"## {date.today():%Y-%m-%d}: flows, durability, reports and sending at scale (issue 13)",
        "",
        f"Measured on {_machine()}, with:",
        "",
        "```sh",
        command,
        "```",
        "",
        "### Flows",
        "",
        "Throughput (closed loop) and latency (open loop at a fixed rate, the same for every"
        " contestant): see `benchmarks/flows.py` and below.",
        "",
        *_flow_table(flows),
        "",
        *_ratios(flows, ceiling),
        "",
        "### Reports",
        "",
        *_report_tables(reports),
        "",
        "### Growth",
        "",
        *_growth(flows, reports),
        "",
        "### Sending",
        "",
        f"{sending.sent:,} of {sending.messages:,} outbox messages sent in"
        f" {sending.seconds:.1f} s: {sending.per_second:.1f} messages/s (target ≥ 27),"
        f" {sending.refused} answered 429 (target 0).",
        "",
    ]


def _sizes(text: str) -> list[int]:
    return [int(size) for size in text.split(",")]


def main(arguments: list[str], command: str | None = None) -> list[str]:
    """Run everything; the section's lines (``command``: how it was run, for the record)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale")
    parser.add_argument("--people", type=_sizes, default=[100, TARGET_PEOPLE])
    parser.add_argument("--growth-people", type=_sizes, default=[GROWTH_PEOPLE])
    parser.add_argument("--needs", type=_sizes, default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--messages", type=int, default=SENT_MESSAGES)
    parser.add_argument("--latency-people", type=int, default=LATENCY_PEOPLE)
    parser.add_argument("--rate", type=float, default=LATENCY_RATE)
    parser.add_argument("--write", action="store_true", help="add the section to BENCHMARKS.md")
    options = parser.parse_args(arguments)
    flows = []

    def run(variant: str, people: int, rate: float = 0.0) -> FlowResult:
        flows.append(run_flows(variant, people, rate))
        print(*_flow_table(flows)[-1:], file=sys.stderr)
        return flows[-1]

    for people in options.people:
        for variant in VARIANTS:
            run(variant, people)
    for people in options.growth_people:
        run("bot", people)
    for variant in VARIANTS:
        run(variant, options.latency_people, options.rate)
    with tempfile.TemporaryDirectory() as directory:
        ceiling = asyncio.run(commit_ceiling(Path(directory)))
        sending = asyncio.run(outbox_sending(Path(directory), options.messages))
    reports = [run_reports(needs) for needs in options.needs]
    command = command or " ".join(["python -m benchmarks.scale", *arguments])
    lines = section(command, flows, ceiling, reports, sending)
    if options.write:
        history = BENCHMARKS_MD.read_text()
        first = history.index("\n## ") + 1
        BENCHMARKS_MD.write_text(history[:first] + "\n".join(lines) + "\n" + history[first:])
    return lines


if __name__ == "__main__":
    print("\n".join(main(sys.argv[1:])))
