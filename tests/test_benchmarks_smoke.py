"""The benchmarks keep working as the code changes (their timings stay out of the tests)."""

from __future__ import annotations

import importlib

from bot.reports.uplift import GroupSpec, uplift


def test_the_benchmarks_import_and_their_chart_figure_runs() -> None:
    figures = importlib.import_module("benchmarks.figures")
    assert callable(figures.main)
    groups = [GroupSpec("everyone", frozenset({"vcs"}))]
    charts = figures.survey_charts(uplift([], groups), {}, min_group_size=5)
    assert charts == []  # nothing to draw: no chart
