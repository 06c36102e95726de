"""The benchmarks keep working as the code changes (their timings stay out of the tests)."""

from __future__ import annotations

import importlib
from pathlib import Path

from bot.reports.uplift import GroupSpec, uplift


def test_the_benchmarks_import_and_their_chart_figure_runs() -> None:
    figures = importlib.import_module("benchmarks.figures")
    assert callable(figures.main)
    groups = [GroupSpec("everyone", frozenset({"vcs"}))]
    charts = figures.survey_charts(uplift([], groups), {}, min_group_size=5)
    assert charts == []  # nothing to draw: no chart


async def test_the_flow_benchmark_runs_the_bot_and_its_floors_for_two_people() -> None:
    from benchmarks.flows import SCRIPT, VARIANTS, measure

    for variant in VARIANTS:
        result = await measure(variant, 2)
        assert result.updates == 2 * len(SCRIPT)  # everyone got through (checked in the DB)
    paced = await measure("floor-memory", 2, rate=200)  # the open loop, for latency
    assert paced.updates == 2 * len(SCRIPT)
    assert paced.seconds >= (2 * len(SCRIPT) - 1) / 200


async def test_the_report_and_sending_benchmarks_run_small(tmp_path: Path) -> None:
    from benchmarks.reports import REPORTS, measure
    from benchmarks.sending import outbox_sending

    reports = await measure(50)
    assert set(reports.seconds) == set(REPORTS)
    assert reports.plans  # what the reports asked, with SQLite's plans
    sending = await outbox_sending(tmp_path, 3)
    assert (sending.sent, sending.refused) == (3, 0)


def test_the_section_shows_how_flows_and_reports_grow() -> None:
    from benchmarks.flows import FlowResult
    from benchmarks.reports import ReportResult
    from benchmarks.scale import section
    from benchmarks.sending import SendingResult

    def flow(variant: str, people: int, seconds: float) -> FlowResult:
        return FlowResult(variant, people, people * 25, seconds, 1.0, 2.0, 3.0, 100.0, people)

    flows = [
        *(flow(variant, 100, 1.0) for variant in ("bot", "floor-durable", "floor-memory")),
        flow("bot", 5000, 100.0),
    ]
    reports = [
        ReportResult(needs, 1.0, {"CSV": needs / 10_000}, {"CSV": "a file"}, {}, 200.0)
        for needs in (10_000, 100_000)
    ]
    lines = section("make bench", flows, 1000.0, reports, SendingResult(10, 10, 1.0, 0))
    growth = lines[lines.index("### Growth") :]
    assert "| 5,000 | 125,000 | 1,250 | 2.00 | 100 MB |" in growth  # half the rate: twice the time
    assert "| 100,000 | 10 | 10.0 | 200 MB |" in growth  # ten times the needs, ten times the time
